/**
 * @module suites/performance/scenario-suite.netns.test
 * The scenario suite on a real local cluster (network namespaces, needs root): baseline, both
 * scenarios for 2 s each, run by autocannon inside the fortio client pod. Checks the results are
 * complete and plausible and that autocannon's own JSON is handed over. The cluster is removed in
 * `finally`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runScenarioSuite } from './scenario-suite.ts';
import { localClusterSkip, withLocalCluster } from './testing/local-cluster.ts';

const NAME = 'mbtscentest';

describe('runScenarioSuite on the local provider', { skip: localClusterSkip() }, () => {
  it('runs every scenario from the client pod and keeps autocannon JSON', { timeout: 180_000 }, async () => {
    await withLocalCluster(NAME, async (cluster) => {
      const raw: string[] = [];
      const r = await runScenarioSuite(cluster, {
        modes: ['baseline'],
        profile: 'quick',
        durationSeconds: 2,
        onRawJson: async (_p, json) => raw.push(json),
      });
      assert.deepEqual(r.skippedModes, []);
      assert.deepEqual(r.scenarios.map((p) => p.scenario).sort(), ['echo-mixed', 'header-routing']);
      for (const p of r.scenarios) {
        assert.equal(p.mode, 'baseline');
        assert.ok(p.okCount > 100, `${p.scenario}: ok ${p.okCount}`);
        assert.ok(
          // autocannon's histogram counts whole milliseconds: a sub-ms p50 is 0
          p.p50Ms >= 0 && p.p50Ms <= p.p90Ms && p.p90Ms <= p.p99Ms && p.p99Ms > 0,
          `${p.scenario}: percentiles ordered ${JSON.stringify(p)}`,
        );
      }
      const mixed = r.scenarios.find((p) => p.scenario === 'echo-mixed')!;
      const e503 = mixed.errorsByCode['503'] ?? 0;
      assert.ok(e503 > 0 && e503 < mixed.okCount, `echo-mixed asks for 1 in 4 503s, got ${e503}`);
      assert.equal(raw.length, 2);
      const parsed = JSON.parse(raw[0]!) as { '2xx': number; latency: { p99: number } };
      assert.ok(parsed['2xx'] > 0, 'autocannon JSON kept as written');
    });
  });
});
