/**
 * @module suites/performance/run-benchmark.test
 * A whole (tiny) benchmark run against the loopback test cluster with real fortio: performance.json
 * complete and valid, charts and report written.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readPerformanceResult } from '../../results/performance/store.ts';
import { hasFortio, startLoopbackFortio } from '../../results/performance/testing/loopback-fortio.ts';
import { runBenchmark } from './run-benchmark.ts';
import { createLoopbackCluster } from './testing/loopback-cluster.ts';

describe('runBenchmark (loopback fortio)', { skip: !hasFortio() && 'fortio not built' }, () => {
  it('writes a complete performance.json, charts and report', async () => {
    const server = await startLoopbackFortio();
    const dir = await mkdtemp(join(tmpdir(), 'mb-bench-'));
    try {
      const cluster = createLoopbackCluster(server);
      const out = await runBenchmark(cluster, {
        runId: 'loopback-test',
        runDir: dir,
        modes: ['baseline', 'ambient'],
        profile: 'quick',
        connections: [2],
        durationSeconds: 1,
        repetitions: 1,
      });
      const r = await readPerformanceResult(dir);
      assert.equal(r.complete, true);
      assert.equal(r.latency.length, 1);
      assert.equal(r.environment.tools['fortio'], '1.66.5');
      assert.match(r.skippedModes[0]!.reason, /ambient needs a mesh/);
      assert.deepEqual(r.summary, []);
      assert.ok(out.charts.some((c) => c.endsWith('latency-percentiles.svg')));
      assert.ok(existsSync(join(dir, 'charts', 'latency-percentiles.png')));
      assert.match(await readFile(out.reportPath, 'utf8'), /<svg/);
      const raw = JSON.parse(await readFile(join(dir, 'fortio', 'baseline-c2-r0.json'), 'utf8'));
      assert.equal(raw.DurationHistogram.Count, r.latency[0]!.sampleCount);
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('leaves complete: false and no objects behind when aborted mid-run', async () => {
    const server = await startLoopbackFortio();
    const dir = await mkdtemp(join(tmpdir(), 'mb-bench-'));
    try {
      const cluster = createLoopbackCluster(server);
      const abort = new AbortController();
      await assert.rejects(
        runBenchmark(cluster, {
          runId: 'loopback-abort',
          runDir: dir,
          modes: ['baseline'],
          profile: 'quick',
          connections: [1, 2],
          durationSeconds: 0.3,
          repetitions: 1,
          signal: abort.signal,
          onProgress: (_suite, p) => {
            if (p.done === 1) abort.abort(new Error('stop'));
          },
        }),
      );
      const partial = await readPerformanceResult(dir, { requireComplete: false });
      assert.equal(partial.complete, false);
      assert.equal(partial.latency.length, 1);
      await assert.rejects(readPerformanceResult(dir), /complete: false/);
      assert.equal(cluster.objects.size, 0);
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
