/**
 * @module reference-impl/waypoint/request-rate-limit.test
 * The HTTP local rate limit's buckets: per service, full at start, refilled per interval, fresh on
 * a changed configuration, no limit = always admitted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRequestRateLimiter } from './request-rate-limit.ts';

test('token bucket per service, refill, reconfiguration', () => {
  let now = 1_000;
  const rl = createRequestRateLimiter(() => now);
  const limit = { maxTokens: 2, tokensPerFill: 2, fillIntervalMs: 60_000, source: 'a/limit' };
  const take = (key: string, l = limit) => rl.admit(key, l);
  assert.deepEqual([take('a'), take('a'), take('a'), take('a')], [true, true, false, false]);
  assert.equal(take('b'), true, 'another service has its own bucket');
  now += 59_999;
  assert.equal(take('a'), false);
  now += 1;
  assert.deepEqual([take('a'), take('a'), take('a')], [true, true, false]);
  assert.equal(take('a', { ...limit, maxTokens: 3 }), true, 'a changed limit starts full');
  assert.equal(rl.admit('a', undefined), true);
});
