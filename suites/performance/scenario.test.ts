/**
 * @module suites/performance/scenario.test
 * A scripted scenario run by autocannon against a real fortio server on loopback (1 s).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasFortio, startLoopbackFortio } from '../../results/performance/testing/loopback-fortio.ts';
import { runScenario } from './scenario.ts';
import { scenario as echoMixed } from './scenarios/echo-mixed.ts';

describe('runScenario (autocannon on loopback)', { skip: !hasFortio() && 'fortio not built' }, () => {
  it('runs the request sequence, counts 503s as errors and checks thresholds', async () => {
    const server = await startLoopbackFortio();
    try {
      const out = await runScenario(
        { ...echoMixed, durationSeconds: 1, rps: 200, connections: 2 },
        `http://127.0.0.1:${server.httpPort}`,
      );
      assert.equal(out.sample.tool, 'autocannon');
      assert.ok(out.sample.okCount > 50, `ok ${out.sample.okCount}`);
      const e503 = out.sample.errorsByCode['503'] ?? 0;
      assert.ok(e503 > 0 && e503 < out.sample.okCount, `503s ${e503}`);
      const rate = out.thresholds['errorRate']!;
      assert.ok(rate.actual > 0.15 && rate.actual < 0.35, `error rate ${rate.actual}`);
      assert.equal(out.thresholds['errorRate']!.ok, true);
      const strict = await runScenario(
        { ...echoMixed, durationSeconds: 1, rps: 100, connections: 1, thresholds: { errorRate: 0 } },
        `http://127.0.0.1:${server.httpPort}`,
      );
      assert.equal(strict.ok, false);
    } finally {
      await server.stop();
    }
  });
});
