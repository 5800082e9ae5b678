/**
 * @module suites/performance/throughput-suite.test
 * Throughput/connection tests against a real fortio server on loopback (0.5 s per point).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasFortio, useLoopbackFortio } from '../../results/performance/testing/loopback-fortio.ts';
import { runResourceSuite } from './resource-suite.ts';
import { createLoopbackCluster } from './testing/loopback-cluster.ts';
import { runThroughputSuite } from './throughput-suite.ts';

describe('throughput and resource suites (loopback fortio)', {
  skip: !hasFortio() && 'fortio not built',
}, () => {
  const server = useLoopbackFortio();

  it('measures tcp-bulk bytes/s, tcp-rr and new-connection rates for baseline', async () => {
    const cluster = createLoopbackCluster(server);
    const r = await runThroughputSuite(cluster, {
      modes: ['baseline', 'sidecar'],
      profile: 'quick',
      durationSeconds: 0.5,
    });
    assert.deepEqual(
      r.throughput.map((p) => p.test),
      ['tcp-bulk', 'tcp-rr', 'http-new-connection'],
    );
    const bulk = r.throughput[0]!;
    assert.ok(bulk.bytesPerSecond > bulk.ratePerSecond * 65536, `bulk ${bulk.bytesPerSecond} B/s`);
    assert.ok(r.throughput[1]!.ratePerSecond > 100);
    assert.ok(r.throughput[2]!.ratePerSecond > 10);
    assert.ok(cluster.execs[2]!.includes('-keepalive=false'));
    assert.match(r.skippedModes[0]!.reason, /sidecar needs a mesh/);
    assert.equal(cluster.objects.size, 0);
  });

  it('turns pod usage deltas into vCPU per 1000 rps', async () => {
    let t = 0;
    const cluster = createLoopbackCluster(server, {
      usage: () => {
        t += 0.05;
        return {
          cpuSeconds: t,
          memoryBytes: 10 * 2 ** 20,
          peakMemoryBytes: 12 * 2 ** 20,
          sampledAt: new Date().toISOString(),
        };
      },
    });
    const r = await runResourceSuite(cluster, {
      modes: ['baseline'],
      profile: 'quick',
      durationSeconds: 0.5,
      replicas: [1],
    });
    assert.equal(r.resources.length, 2);
    for (const p of r.resources) {
      assert.equal(p.component, 'application');
      assert.equal(p.peakMemoryMiB, 12);
      assert.ok(p.cpuSeconds > 0 && p.cpuCoresPer1000Rps > 0, JSON.stringify(p));
    }
    assert.deepEqual(r.scaling, []);
    assert.equal(cluster.objects.size, 0);
  });

  it("takes the processes' peak RSS of the load window where the provider resets peaks", async () => {
    const resets: string[] = [];
    let windowStarted = false;
    const base = createLoopbackCluster(server, {
      usage: () => ({
        cpuSeconds: 1,
        memoryBytes: 10 * 2 ** 20,
        peakMemoryBytes: 300 * 2 ** 20, // the cgroup's lifetime peak (an earlier bulk transfer)
        sampledAt: new Date().toISOString(),
        containers: {
          app: {
            cpuSeconds: 1,
            memoryBytes: 8 * 2 ** 20,
            peakMemoryBytes: (windowStarted ? 9 : 250) * 2 ** 20,
          },
          helper: { cpuSeconds: 0, memoryBytes: 2 * 2 ** 20, peakMemoryBytes: 2 * 2 ** 20 },
        },
      }),
    });
    const cluster = Object.assign(base, {
      async resetPeakMemory(pod: { name: string }) {
        resets.push(pod.name);
        windowStarted = true;
      },
    });
    const r = await runResourceSuite(cluster, {
      modes: ['baseline'],
      profile: 'quick',
      durationSeconds: 0.5,
      replicas: [1],
    });
    assert.equal(resets.length, 2, 'both pods reset before the load');
    for (const p of r.resources) assert.equal(p.peakMemoryMiB, 11, "sum of the containers' window peaks");
  });
});
