/**
 * @module suites/performance/latency-suite.test
 * The latency suite's orchestration with real fortio runs on loopback (short points, ≤ 1 s).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasCode } from '../../core/errors.ts';
import { hasFortio, useLoopbackFortio } from '../../results/performance/testing/loopback-fortio.ts';
import { fortioLoadArgv } from './fortio-driver.ts';
import { runLatencySuite, type SuiteProgress } from './latency-suite.ts';
import { modeObjects } from './modes.ts';
import { createLoopbackCluster } from './testing/loopback-cluster.ts';

describe('fortioLoadArgv', () => {
  it("is Istio's method", () => {
    const argv = fortioLoadArgv({
      url: 'http://x/echo',
      qps: 1000,
      connections: 8,
      durationSeconds: 240,
      payloadBytes: 1024,
      uniform: true,
      noCatchUp: true,
      resolutionSeconds: 0.00001,
    });
    assert.deepEqual(argv, [
      'fortio',
      'load',
      '-qps',
      '1000',
      '-c',
      '8',
      '-t',
      '240s',
      '-uniform',
      '-nocatchup',
      '-payload-size',
      '1024',
      '-r',
      '0.00001',
      '-p',
      '50,75,90,99,99.9',
      '-json',
      '-',
      'http://x/echo',
    ]);
  });
});

describe('modeObjects', () => {
  it('labels namespaces as Istio expects', () => {
    assert.equal(modeObjects('baseline', 'n')[0]!.metadata.labels!['istio.io/dataplane-mode'], undefined);
    assert.equal(modeObjects('ambient', 'n')[0]!.metadata.labels!['istio.io/dataplane-mode'], 'ambient');
    assert.equal(modeObjects('sidecar', 'n')[0]!.metadata.labels!['istio-injection'], 'enabled');
    const w = modeObjects('waypoint', 'n');
    assert.equal(w[0]!.metadata.labels!['istio.io/use-waypoint'], 'waypoint');
    assert.equal((w[1]!.spec as { gatewayClassName: string }).gatewayClassName, 'istio-waypoint');
  });
});

describe('runLatencySuite (loopback fortio)', { skip: !hasFortio() && 'fortio not built' }, () => {
  const server = useLoopbackFortio();

  it('runs baseline, skips modes without a mesh with the reason, and cleans up', async () => {
    const cluster = createLoopbackCluster(server);
    const progress: SuiteProgress[] = [];
    const result = await runLatencySuite(cluster, {
      modes: ['baseline', 'ambient'],
      profile: 'quick',
      connections: [2, 4],
      durationSeconds: 0.5,
      repetitions: 1,
      onProgress: (p) => progress.push(p),
    });
    assert.equal(result.latency.length, 2);
    assert.deepEqual(
      result.latency.map((p) => p.connections),
      [2, 4],
    );
    for (const p of result.latency) {
      assert.equal(p.mode, 'baseline');
      assert.ok(p.sampleCount > 0 && p.p90Ms > 0 && p.p90Ms < 100, JSON.stringify(p));
    }
    assert.equal(result.skippedModes.length, 1);
    assert.match(result.skippedModes[0]!.reason, /ambient needs a mesh/);
    assert.equal(result.settings.crossNode, true);
    assert.equal(result.fortioVersion, '1.66.5');
    assert.equal(progress.at(-1)!.done, 2);
    assert.equal(cluster.objects.size, 0, 'every object deleted');
    assert.ok(cluster.execs[0]!.includes('-uniform') && cluster.execs[0]!.includes('-nocatchup'));
  });

  it('fails with E_EXEC naming the pod when fortio cannot reach the server', async () => {
    const cluster = createLoopbackCluster({ ...server, httpPort: 1 });
    await assert.rejects(
      runLatencySuite(cluster, {
        modes: ['baseline'],
        profile: 'quick',
        connections: [1],
        durationSeconds: 0.3,
        repetitions: 1,
      }),
      (e) => hasCode(e, 'E_EXEC') && /fortio-client/.test(e.message),
    );
    assert.equal(cluster.objects.size, 0);
  });
});
