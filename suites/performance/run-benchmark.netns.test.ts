/**
 * @module suites/performance/run-benchmark.netns.test
 * A quick latency run of every mode on a real local cluster with the reference mesh (network
 * namespaces, needs root): each mode has its point, with samples counted and percentiles ordered,
 * and the added latency of each mesh mode is its own point minus the baseline of the same run.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MODES } from '../../results/performance/types.ts';
import { runBenchmark } from './run-benchmark.ts';
import { localClusterSkip, withLocalCluster } from './testing/local-cluster.ts';

const NAME = 'mbtallmodes';

describe('runBenchmark, every mode, on the local provider', { skip: localClusterSkip() }, () => {
  it('measures baseline, ambient, waypoint and sidecar in one interleaved run', {
    timeout: 300_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mb-allmodes-'));
    try {
      await withLocalCluster(NAME, async (cluster) => {
        const mesh = await cluster.installMesh({ implementation: 'reference' }, { timeoutMs: 60_000 });
        const { result: r } = await runBenchmark(cluster, {
          runId: 'all-modes-test',
          runDir: dir,
          modes: MODES,
          profile: 'quick',
          mesh,
          connections: [2],
          durationSeconds: 2,
          repetitions: 1,
        });
        assert.equal(r.complete, true);
        assert.deepEqual(r.skippedModes, [], 'every mode deployed');
        assert.deepEqual(r.latency.map((p) => p.mode).sort(), [...MODES].sort());
        for (const p of r.latency) {
          assert.ok(p.sampleCount >= 200, `${p.mode}: ${p.sampleCount} samples`);
          // a proxy may drop the odd request under load (waypoint 503 UR seen rarely); more is a failure
          assert.ok(p.okCount >= p.sampleCount * 0.99, `${p.mode}: errors ${JSON.stringify(p.errorsByCode)}`);
          assert.ok(
            p.p50Ms > 0 && p.p50Ms <= p.p90Ms && p.p90Ms <= p.p99Ms && p.p99Ms <= p.p999Ms,
            `${p.mode}: percentiles ordered ${p.p50Ms}/${p.p90Ms}/${p.p99Ms}/${p.p999Ms}`,
          );
        }
        const base = r.latency.find((p) => p.mode === 'baseline')!;
        for (const mode of ['ambient', 'waypoint', 'sidecar'] as const) {
          const point = r.latency.find((p) => p.mode === mode)!;
          const added = r.addedLatency.find((a) => a.mode === mode && a.percentile === 'p90')!;
          assert.ok(added, `${mode}: added p90 computed`);
          assert.ok(
            Math.abs(added.medianMs - (point.p90Ms - base.p90Ms)) < 1e-3,
            `${mode}: added p90 ${added.medianMs} = ${point.p90Ms} − baseline ${base.p90Ms}`,
          );
          assert.ok(
            r.summary.some((s) => s.mode === mode),
            `${mode}: in the summary row`,
          );
        }
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
