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
  it('compares the other suites by median, with delta and ratio', () => {
    const a = sampleResult('run-a');
    const b = sampleResult('run-b');
    const tput = (mode: 'baseline' | 'ambient', repetition: number, rate: number) => ({
      mode,
      test: 'tcp-rr' as const,
      repetition,
      tool: 'fortio' as const,
      connections: 1,
      payloadBytes: 1,
      durationSeconds: 2,
      ratePerSecond: rate,
      bytesPerSecond: 2 * rate,
      p50Ms: 0.1,
      p99Ms: 0.2,
      errorsByCode: {},
    });
    a.throughput = [tput('ambient', 0, 1000), tput('ambient', 1, 3000), tput('ambient', 2, 2000)];
    b.throughput = [tput('ambient', 0, 3000)];
    const c = compareRuns(a, b);
    const rr = c.metrics.find((m) => m.subject === 'ambient tcp-rr' && m.metric === 'calls/s')!;
    assert.deepEqual([rr.a, rr.b, rr.delta, rr.ratio], [2000, 3000, 1000, 1.5]);
    b.throughput = [];
    const gone = compareRuns(a, b).metrics.find((m) => m.subject === 'ambient tcp-rr')!;
    assert.equal(gone.b, null);
    assert.equal(gone.ratio, null);
  });
});
