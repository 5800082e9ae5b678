/** Pure tests of the per-pod and per-service connection limits and Envoy's token bucket. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { L4TrafficPolicy } from '../../api/l4.ts';
import { createConnectionLimits, createServiceLimits, createTokenBucket } from './connection-limits.ts';

test('token bucket: starts full, refills tokensPerFill per whole interval, capped at maxTokens', () => {
  let t = 1000;
  const b = createTokenBucket({ maxTokens: 2, tokensPerFill: 2, fillIntervalMs: 60_000 }, () => t);
  assert.equal(b.take(), true);
  assert.equal(b.take(), true);
  assert.equal(b.take(), false);
  t += 59_999;
  assert.equal(b.take(), false, 'no refill before the interval ends');
  t += 1;
  assert.equal(b.tokens(), 2);
  t += 10 * 60_000;
  assert.equal(b.tokens(), 2, 'capped at maxTokens');
  const slow = createTokenBucket({ maxTokens: 3, tokensPerFill: 1, fillIntervalMs: 100 }, () => t);
  for (let i = 0; i < 3; i++) assert.equal(slow.take(), true);
  assert.equal(slow.take(), false);
  t += 250;
  assert.equal(slow.tokens(), 2);
});

const policy = (p: Partial<L4TrafficPolicy>): L4TrafficPolicy => ({
  service: 'ns/echo.ns.svc.cluster.local',
  sources: [],
  routes: [],
  ...p,
});

test('service limits: maxConnections per source pod and service; a released slot frees room', () => {
  const limits = createServiceLimits();
  const p = policy({ maxConnections: 1 });
  const a = limits.acquire('pod-a', p);
  assert.equal(a.ok, true);
  assert.deepEqual(limits.acquire('pod-a', p), { ok: false, reason: 'overflow' });
  assert.equal(limits.acquire('pod-b', p).ok, true, 'another source pod has its own budget');
  assert.equal(limits.acquire('pod-a', policy({ service: 'ns/other', maxConnections: 1 })).ok, true);
  if (a.ok) {
    a.release();
    a.release();
  }
  assert.equal(limits.active('pod-a', p.service), 0);
  assert.equal(limits.acquire('pod-a', p).ok, true);
  assert.equal(limits.acquire('pod-a', policy({})).ok, true, 'no limits in the policy: always granted');
});

test('service limits: one token bucket per service, rebuilt when its settings change', () => {
  let t = 0;
  const limits = createServiceLimits(() => t);
  const p = policy({ connectionRateLimit: { maxTokens: 2, tokensPerFill: 2, fillIntervalMs: 60_000 } });
  assert.equal(limits.acquire('pod-a', p).ok, true);
  assert.equal(limits.acquire('pod-b', p).ok, true, 'the bucket is shared by every source pod');
  assert.deepEqual(limits.acquire('pod-a', p), { ok: false, reason: 'rate-limited' });
  t += 60_000;
  assert.equal(limits.acquire('pod-a', p).ok, true);
  const wider = policy({ connectionRateLimit: { maxTokens: 5, tokensPerFill: 5, fillIntervalMs: 60_000 } });
  for (let i = 0; i < 5; i++) assert.equal(limits.acquire('pod-a', wider).ok, true);
  assert.equal(limits.acquire('pod-a', wider).ok, false);
});

test('per-pod limits (ztunnel settings): overflow and continuous refill', () => {
  let t = 0;
  const l = createConnectionLimits({ maxConnections: 1, connectsPerSecond: 0, burst: 0 }, () => t);
  const s = l.acquire();
  assert.equal(s.ok, true);
  assert.deepEqual(l.acquire(), { ok: false, reason: 'overflow' });
  if (s.ok) s.release();
  assert.equal(l.active(), 0);
  const r = createConnectionLimits({ maxConnections: 0, connectsPerSecond: 2, burst: 2 }, () => t);
  assert.equal(r.acquire().ok, true);
  assert.equal(r.acquire().ok, true);
  assert.deepEqual(r.acquire(), { ok: false, reason: 'rate-limited' });
  t += 500;
  assert.equal(r.acquire().ok, true);
});
