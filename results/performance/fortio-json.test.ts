/**
 * @module results/performance/fortio-json.test
 * Parses REAL fortio output: a fortio server on 127.0.0.1 and a 1 s `fortio load` (HTTP and TCP).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasCode } from '../../core/errors.ts';
import { FORTIO_PERCENTILES, parseFortioJson } from './fortio-json.ts';
import { hasFortio, runFortio, useLoopbackFortio } from './testing/loopback-fortio.ts';

describe('parseFortioJson (real fortio on loopback)', {
  skip: !hasFortio() && 'fortio not built (run scripts/setup)',
}, () => {
  const server = useLoopbackFortio();

  it('converts an HTTP run: seconds → ms, ns → s, RequestedQPS string → number', async () => {
    const run = await runFortio([
      'load',
      '-qps',
      '200',
      '-c',
      '2',
      '-t',
      '1s',
      '-uniform',
      '-nocatchup',
      '-payload-size',
      '1024',
      '-r',
      '0.00001',
      '-p',
      FORTIO_PERCENTILES,
      '-json',
      '-',
      `http://127.0.0.1:${server.httpPort}/echo`,
    ]);
    assert.equal(run.exitCode, 0, run.stderr);
    const raw = JSON.parse(run.stdout);
    const s = parseFortioJson(run.stdout);
    assert.equal(s.tool, 'fortio');
    assert.equal(s.runType, 'HTTP');
    assert.equal(s.qpsRequested, 200);
    assert.equal(s.connections, 2);
    assert.ok(Math.abs(s.durationSeconds - raw.ActualDuration / 1e9) < 1e-12);
    assert.ok(s.durationSeconds > 0.9 && s.durationSeconds < 2, `duration ${s.durationSeconds}`);
    assert.equal(s.sampleCount, raw.DurationHistogram.Count);
    assert.ok(s.sampleCount >= 150);
    assert.equal(s.okCount, raw.RetCodes['200']);
    assert.deepEqual(s.errorsByCode, {});
    const p90 = raw.DurationHistogram.Percentiles.find(
      (p: { Percentile: number }) => p.Percentile === 90,
    ).Value;
    assert.ok(Math.abs(s.p90Ms - p90 * 1000) < 1e-9);
    assert.ok(s.p50Ms <= s.p90Ms && s.p90Ms <= s.p99Ms && s.p99Ms <= s.p999Ms && s.p999Ms <= s.maxMs + 1e-9);
    // loopback latency is well under a second: a unit slip (s vs ms) would show here
    assert.ok(s.p50Ms > 0.001 && s.p50Ms < 100, `p50 ${s.p50Ms} ms`);
  });

  it('converts a TCP echo run with max qps ("max" → null) and byte counts', async () => {
    const run = await runFortio([
      'load',
      '-qps',
      '-1',
      '-c',
      '1',
      '-t',
      '1s',
      '-payload-size',
      '1024',
      '-r',
      '0.00001',
      '-p',
      FORTIO_PERCENTILES,
      '-json',
      '-',
      `tcp://127.0.0.1:${server.tcpPort}`,
    ]);
    assert.equal(run.exitCode, 0, run.stderr);
    const s = parseFortioJson(run.stdout);
    assert.equal(s.runType, 'TCP');
    assert.equal(s.qpsRequested, null);
    assert.ok(s.okCount > 0);
    assert.ok(s.bytesSent >= s.okCount * 1024);
    assert.deepEqual(s.errorsByCode, {});
  });

  it('reports non-2xx codes as errors by code', async () => {
    const run = await runFortio([
      'load',
      '-allow-initial-errors',
      '-qps',
      '50',
      '-c',
      '1',
      '-t',
      '1s',
      '-p',
      FORTIO_PERCENTILES,
      '-json',
      '-',
      `http://127.0.0.1:${server.httpPort}/echo?status=503`,
    ]);
    assert.equal(run.exitCode, 0, run.stderr);
    const s = parseFortioJson(run.stdout);
    assert.ok((s.errorsByCode['503'] ?? 0) > 0, JSON.stringify(s.errorsByCode));
    assert.equal(s.okCount, 0);
  });
});

describe('parseFortioJson (malformed input)', () => {
  it('rejects non-JSON and non-fortio objects with E_RESULTS', () => {
    assert.throws(
      () => parseFortioJson('nope'),
      (e) => hasCode(e, 'E_RESULTS'),
    );
    assert.throws(
      () => parseFortioJson({ foo: 1 }),
      (e) => hasCode(e, 'E_RESULTS'),
    );
  });
  it('rejects an empty run with E_NO_SAMPLES', () => {
    const empty = {
      RunType: 'HTTP',
      RequestedQPS: '1000',
      DurationHistogram: { Count: 0, Min: 0, Max: 0, Avg: 0 },
    };
    assert.throws(
      () => parseFortioJson(empty),
      (e) => hasCode(e, 'E_NO_SAMPLES'),
    );
  });
  it('names the missing percentile', () => {
    const r = {
      RunType: 'HTTP',
      RequestedQPS: '10',
      ActualQPS: 10,
      ActualDuration: 1e9,
      NumThreads: 1,
      StartTime: 'x',
      DurationHistogram: {
        Count: 1,
        Min: 0.001,
        Max: 0.001,
        Avg: 0.001,
        Percentiles: [{ Percentile: 50, Value: 0.001 }],
      },
    };
    assert.throws(() => parseFortioJson(r), /percentile 90 missing/);
  });
});
