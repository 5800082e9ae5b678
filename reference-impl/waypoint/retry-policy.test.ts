/**
 * @module reference-impl/waypoint/retry-policy.test
 * Table tests of Envoy's retry conditions and the attempt budget.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AttemptOutcome, retryBackoffMs, shouldRetry } from './retry-policy.ts';

const r = (retryOn: string[], attempts = 2) => ({ attempts, retryOn });
const resp = (status: number, grpcStatus?: number): AttemptOutcome => ({
  kind: 'response',
  status,
  ...(grpcStatus !== undefined ? { grpcStatus } : {}),
});

test('conditions', () => {
  const rows: [string[], AttemptOutcome, boolean][] = [
    [['5xx'], resp(503), true],
    [['5xx'], resp(500), true],
    [['5xx'], resp(404), false],
    [['5xx'], { kind: 'connect-failure' }, true],
    [['5xx'], { kind: 'reset' }, true],
    [['gateway-error'], resp(502), true],
    [['gateway-error'], resp(500), false],
    [['connect-failure'], { kind: 'connect-failure' }, true],
    [['connect-failure'], resp(503), false],
    [['retriable-4xx'], resp(409), true],
    [['retriable-status-codes', '418'], resp(418), true],
    [['retriable-status-codes', '418'], resp(503), false],
    [['unavailable'], resp(200, 14), true],
    [['unavailable'], resp(200, 0), false],
    [['reset'], { kind: 'reset' }, true],
    [[], resp(503), false],
  ];
  for (const [on, outcome, want] of rows)
    assert.equal(shouldRetry(r(on), 1, outcome), want, `${on} ${JSON.stringify(outcome)}`);
});

test('attempt budget: attempts = number of retries after the first try', () => {
  assert.equal(shouldRetry(r(['5xx'], 2), 1, resp(503)), true);
  assert.equal(shouldRetry(r(['5xx'], 2), 2, resp(503)), true);
  assert.equal(shouldRetry(r(['5xx'], 2), 3, resp(503)), false);
  assert.equal(shouldRetry(r(['5xx'], 0), 1, resp(503)), false);
  assert.equal(shouldRetry(undefined, 1, resp(503)), false);
});

test('backoff is bounded', () => {
  assert.equal(retryBackoffMs(1, 0), 0);
  assert.ok(retryBackoffMs(1, 0.999) < 25);
  assert.ok(retryBackoffMs(10, 0.999) < 250);
});
