/** @module scripts/cli/call-table.test */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CallOutcome } from '../../clusters/cluster.ts';
import { outcomeStatus, renderCallTable, summarizeCalls } from './call-table.ts';

const ok = (index: number, host: string, latencyMs: number): CallOutcome => ({
  index,
  ok: true,
  status: 200,
  latencyMs,
  fields: { Hostname: [host], IP: ['198.18.0.9'] },
  body: '',
});
const failed: CallOutcome = {
  index: 2,
  ok: false,
  status: 0,
  error: { code: 'ECONNREFUSED', message: 'refused' },
  latencyMs: 1,
  fields: {},
  body: '',
};

test('outcomeStatus shows the HTTP status or the error code', () => {
  assert.equal(outcomeStatus(ok(0, 'a', 1)), '200');
  assert.equal(outcomeStatus(failed), 'ECONNREFUSED');
});

test('renderCallTable lists index, status, latency, Hostname and IP', () => {
  const text = renderCallTable([ok(0, 'echo-1', 1.234), failed]);
  assert.match(text, /echo-1/);
  assert.match(text, /1\.23/);
  assert.match(text, /198\.18\.0\.9/);
  assert.match(text, /ECONNREFUSED/);
});

test('summarizeCalls counts outcomes and distinct hostnames', () => {
  const s = summarizeCalls([ok(0, 'b', 3), ok(1, 'a', 1), ok(3, 'a', 2), failed]);
  assert.deepEqual({ ...s }, { total: 4, ok: 3, failed: 1, p50Ms: 1, p99Ms: 3, hostnames: ['a', 'b'] });
});
