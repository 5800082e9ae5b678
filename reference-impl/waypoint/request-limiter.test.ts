/**
 * @module reference-impl/waypoint/request-limiter.test
 * Circuit breaking: thresholds from a DestinationRule pool, admission, queueing and overflow.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRequestLimiter, requestLimits } from './request-limiter.ts';

test('thresholds', () => {
  assert.deepEqual(requestLimits(undefined, false), { maxActive: Infinity, maxPending: Infinity });
  const pool = { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1, http2MaxRequests: 5 } };
  assert.deepEqual(requestLimits(pool, false), { maxActive: 1, maxPending: 1 });
  assert.deepEqual(requestLimits(pool, true), { maxActive: 5, maxPending: 1 });
});

test('one active, one pending, the rest overflow; release admits the queued one', async () => {
  const l = createRequestLimiter();
  const limits = { maxActive: 1, maxPending: 1 };
  const first = l.acquire('svc', limits);
  assert.notEqual(first, 'overflow');
  const second = l.acquire('svc', limits);
  assert.notEqual(second, 'overflow');
  assert.equal(l.acquire('svc', limits), 'overflow');
  assert.notEqual(l.acquire('other', limits), 'overflow', 'limits are per key');
  let admitted = false;
  (second as Promise<() => void>).then(() => {
    admitted = true;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(admitted, false);
  const release = await (first as Promise<() => void>);
  release();
  release(); // idempotent
  await new Promise((r) => setImmediate(r));
  assert.equal(admitted, true);
  assert.equal(l.active('svc'), 1);
});
