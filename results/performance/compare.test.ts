/**
 * @module results/performance/compare.test
 * Run comparison: deltas are B − A, missing sides are null.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareRuns } from './compare.ts';
import { finalizePerformanceResult } from './store.ts';
import { sampleResult } from './testing/sample-result.ts';

describe('compareRuns', () => {
  it('computes B − A for the summary row and per point', () => {
    const a = sampleResult('run-a');
    const slower = sampleResult('run-b');
    for (const p of slower.latency) if (p.mode === 'sidecar') p.p90Ms += 0.1;
    const b = finalizePerformanceResult(slower);
    const c = compareRuns(a, b);
    const side = c.summary.find((s) => s.mode === 'sidecar')!;
    assert.equal(side.p90DeltaMs, 0.1);
    assert.equal(side.p99DeltaMs, 0);
    const point = c.points.find((p) => p.mode === 'sidecar' && p.connections === 2)!;
    assert.equal(point.p90DeltaMs, 0.1);
    assert.equal(c.points.find((p) => p.mode === 'baseline')!.p90DeltaMs, 0);
  });
  it('leaves null where one run lacks the mode', () => {
    const a = sampleResult('run-a');
    const b = sampleResult('run-b');
    b.latency = b.latency.filter((p) => p.mode !== 'ambient');
    const c = compareRuns(a, finalizePerformanceResult(b));
    const amb = c.summary.find((s) => s.mode === 'ambient')!;
    assert.equal(amb.p90AddedMsB, null);
    assert.equal(amb.p90DeltaMs, null);
  });
});
