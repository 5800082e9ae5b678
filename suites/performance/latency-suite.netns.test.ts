/**
 * @module suites/performance/latency-suite.netns.test
 * The latency suite on a real local cluster (Linux network namespaces, needs root): baseline only,
 * one short point, client and server pods on different nodes. Skips with the reason elsewhere. The
 * cluster is removed in `finally`, even when the suite fails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runLatencySuite } from './latency-suite.ts';
import { localClusterSkip, withLocalCluster } from './testing/local-cluster.ts';

const NAME = 'mbtperftest';

describe('runLatencySuite on the local provider', { skip: localClusterSkip() }, () => {
  it('measures baseline between pods on two nodes', { timeout: 120_000 }, async () => {
    await withLocalCluster(NAME, async (cluster) => {
      const r = await runLatencySuite(cluster, {
        modes: ['baseline'],
        profile: 'quick',
        connections: [2],
        durationSeconds: 2,
        repetitions: 1,
      });
      assert.equal(r.latency.length, 1);
      const p = r.latency[0]!;
      assert.ok(p.sampleCount > 200, `samples ${p.sampleCount}`);
      assert.ok(p.qpsActual > 100, `qps ${p.qpsActual}` + ' (a loaded 2-core machine still sustains this)');
      assert.ok(p.p50Ms > 0 && p.p50Ms < 50, `p50 ${p.p50Ms} ms`);
      assert.deepEqual(p.errorsByCode, {});
      assert.equal(r.settings.crossNode, true, 'client and server on different nodes');
      assert.deepEqual(
        await cluster.list('Namespace').then((ns) => ns.filter((n) => n.metadata.name.startsWith('mb-perf'))),
        [],
      );
    });
  });
});
