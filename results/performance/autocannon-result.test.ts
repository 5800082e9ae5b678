/**
 * @module results/performance/autocannon-result.test
 * Converts a REAL autocannon run (1 s against a fortio server on 127.0.0.1).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import autocannon from 'autocannon';
import { fromAutocannon } from './autocannon-result.ts';
import { hasFortio, startLoopbackFortio } from './testing/loopback-fortio.ts';

describe('fromAutocannon (real autocannon on loopback)', { skip: !hasFortio() && 'fortio not built' }, () => {
  it('keeps milliseconds, counts 2xx as ok and the rest by code', async () => {
    const server = await startLoopbackFortio();
    try {
      const result = await autocannon({
        url: `http://127.0.0.1:${server.httpPort}/echo`,
        connections: 2,
        duration: 1,
        overallRate: 200,
      });
      const s = fromAutocannon(result, { qpsRequested: 200 });
      assert.equal(s.tool, 'autocannon');
      assert.ok(s.okCount > 100, `ok ${s.okCount}`);
      assert.equal(s.sampleCount, result['2xx'] + result.non2xx);
      assert.equal(s.p99Ms, result.latency.p99);
      assert.ok(s.p50Ms <= s.p99Ms);
      assert.ok(s.qpsActual > 100 && s.qpsActual < 300, `qps ${s.qpsActual}`);
      assert.deepEqual(s.errorsByCode, {});
    } finally {
      await server.stop();
    }
  });
});
