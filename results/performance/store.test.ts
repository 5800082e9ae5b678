/**
 * @module results/performance/store.test
 * Schema validation, atomic writes, `complete` only at the end, added-latency derivation.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hasCode } from '../../core/errors.ts';
import { validatePerformanceResult } from './schema.ts';
import { finalizePerformanceResult, readPerformanceResult, writePerformanceResult } from './store.ts';
import { emptyResult, latencyPoint, sampleResult } from './testing/sample-result.ts';

describe('performance schema', () => {
  it('accepts a finalised result', () => {
    assert.doesNotThrow(() => validatePerformanceResult(sampleResult()));
  });
  it('names the failing path', () => {
    const r = sampleResult();
    (r.latency[0] as { p90Ms: number }).p90Ms = -1;
    assert.throws(
      () => validatePerformanceResult(r),
      (e) => hasCode(e, 'E_RESULTS') && /\/latency\/0\/p90Ms/.test(e.message),
    );
  });
  it('rejects unknown fields and wrong versions', () => {
    assert.throws(() => validatePerformanceResult({ ...sampleResult(), extra: 1 }), /additional properties/);
    assert.throws(() => validatePerformanceResult({ ...sampleResult(), schemaVersion: 2 }), /schemaVersion/);
  });
});

describe('added latency', () => {
  it('pairs repetitions with baseline and reports median with min/max/IQR', () => {
    const r = sampleResult();
    const a = r.addedLatency.find(
      (x) => x.mode === 'ambient' && x.connections === 2 && x.percentile === 'p90',
    )!;
    assert.equal(a.repetitions, 3);
    assert.equal(a.medianMs, 0.11);
    assert.equal(a.minMs, 0.1);
    assert.equal(a.maxMs, 0.12);
    assert.equal(a.q1Ms, 0.105);
    const s = r.summary.find((x) => x.mode === 'sidecar')!;
    assert.deepEqual(s, { mode: 'sidecar', p90AddedMs: 0.61, p99AddedMs: 0.91 });
  });
  it('has nothing to say without baseline or without samples', () => {
    const r = emptyResult();
    r.latency.push(latencyPoint('ambient', 2, 0, 1, 2));
    const empty = latencyPoint('baseline', 2, 0, 0, 0);
    empty.sampleCount = 0;
    r.latency.push(empty);
    assert.deepEqual(finalizePerformanceResult(r).addedLatency, []);
  });
});

describe('store', () => {
  it('writes atomically, leaves no temp file, and refuses incomplete files by default', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mb-perf-'));
    try {
      const partial = emptyResult();
      await writePerformanceResult(dir, partial);
      assert.deepEqual(await readdir(dir), ['performance.json']);
      await assert.rejects(
        readPerformanceResult(dir),
        (e) => hasCode(e, 'E_RESULTS') && /complete: false/.test(e.message),
      );
      assert.equal((await readPerformanceResult(dir, { requireComplete: false })).complete, false);
      await writePerformanceResult(dir, sampleResult());
      const back = await readPerformanceResult(dir);
      assert.equal(back.complete, true);
      assert.deepEqual(JSON.parse(await readFile(join(dir, 'performance.json'), 'utf8')), back);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('never writes an invalid file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mb-perf-'));
    try {
      const bad = { ...emptyResult(), runId: 'bad id/..' };
      await assert.rejects(writePerformanceResult(dir, bad), (e) => hasCode(e, 'E_RESULTS'));
      assert.deepEqual(await readdir(dir), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('reports a missing run directory with E_NOT_FOUND', async () => {
    await assert.rejects(readPerformanceResult('/nonexistent/run'), (e) => hasCode(e, 'E_NOT_FOUND'));
  });
});
