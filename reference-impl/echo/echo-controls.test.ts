/** @module reference-impl/echo/echo-controls.test */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailFirstCounter, MAX_DELAY_MS, parseDelayMs, pickCode, readControls } from './echo-controls.ts';

test('delay: Go durations and bare milliseconds', () => {
  assert.equal(parseDelayMs('250'), 250);
  assert.equal(parseDelayMs('1.5s'), 1500);
  assert.equal(parseDelayMs('2m30s'), 150_000);
  assert.equal(parseDelayMs('100ms'), 100);
  assert.equal(parseDelayMs('10x'), undefined);
  assert.equal(parseDelayMs(''), undefined);
  assert.equal(readControls(new URLSearchParams('delay=1h')).delayMs, MAX_DELAY_MS);
});

test('codes: Istio weighted syntax', () => {
  assert.equal(pickCode('503'), 503);
  assert.equal(
    pickCode('500:1,200:1', () => 0),
    500,
  );
  assert.equal(
    pickCode('500:1,200:1', () => 0.99),
    200,
  );
  assert.equal(
    pickCode('500:0,200:5', () => 0),
    200,
  );
  assert.match(String(pickCode('abc')), /invalid/);
});

test('readControls: status, headers, failFirst and reported errors', () => {
  const c = readControls(new URLSearchParams('status=418&headers=X-A:1,X-B:2&failFirst=2&failCode=502'));
  assert.equal(c.status, 418);
  assert.deepEqual(c.responseHeaders, [
    ['X-A', '1'],
    ['X-B', '2'],
  ]);
  assert.equal(c.failFirst, 2);
  assert.equal(c.failCode, 502);
  assert.deepEqual(c.errors, []);
  const bad = readControls(new URLSearchParams('status=99&delay=zz&headers=nocolon'));
  assert.equal(bad.status, 400);
  assert.equal(bad.errors.length, 3);
});

test('FailFirstCounter fails exactly the first N per key', () => {
  const c = new FailFirstCounter(2);
  assert.deepEqual(
    [1, 2, 3].map(() => c.shouldFail('/a', 2)),
    [true, true, false],
  );
  assert.equal(c.shouldFail('/b', 1), true);
  c.shouldFail('/c', 1);
  assert.equal(c.shouldFail('/a', 2), true, 'oldest key evicted past maxKeys, counting restarts');
});
