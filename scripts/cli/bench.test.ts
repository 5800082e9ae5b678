/**
 * @module scripts/cli/bench.test
 * `bench` and `compare` in-process through `runCli`: flag validation, the printed seed-row table,
 * and a comparison of two stored runs.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { finalizePerformanceResult, writePerformanceResult } from '../../results/performance/store.ts';
import { sampleResult } from '../../results/performance/testing/sample-result.ts';
import { latencyRowTable } from './bench.ts';
import { runCli } from './program.ts';

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: {
        write: (s: string) => {
          out.stdout += s;
          return true;
        },
      },
      stderr: {
        write: (s: string) => {
          out.stderr += s;
          return true;
        },
      },
      env: {},
    },
  };
}

describe('meshbench bench', () => {
  it('rejects an unknown mode with E_FLAG and exit 2', async () => {
    const t = io();
    assert.equal(await runCli(['bench', '--mode', 'ambiant'], t.io), 2);
    assert.match(t.out.stderr, /E_FLAG: .*mode "ambiant" is not one of baseline, ambient, waypoint, sidecar/);
  });
  it('prints measured next to published figures, and says which modes were skipped', () => {
    const table = latencyRowTable(sampleResult());
    assert.match(table, /sidecar\s*│ 0\.610\s*│ 0\.910\s*│ 0\.63\s*│ 0\.88/);
    assert.match(table, /waypoint\s*│ skipped/);
  });
});

describe('meshbench compare', () => {
  it('prints B − A and writes a comparison chart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mb-compare-'));
    try {
      const a = sampleResult('cmp-a');
      const slower = sampleResult('cmp-b');
      for (const p of slower.latency) if (p.mode === 'ambient') p.p99Ms += 0.05;
      await writePerformanceResult(join(dir, 'a'), a);
      await writePerformanceResult(join(dir, 'b'), finalizePerformanceResult(slower));
      const t = io();
      const code = await runCli(['compare', join(dir, 'a'), join(dir, 'b')], t.io);
      assert.equal(code, 0, t.out.stderr);
      assert.match(
        t.out.stdout,
        /ambient\s*│ 0\.110\s*│ 0\.110\s*│ \+0\.000\s*│ 0\.210\s*│ 0\.260\s*│ \+0\.050/,
      );
      assert.match(t.out.stdout, /chart: .*compare-cmp-a-vs-cmp-b\/compare\.svg/);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(join('results', 'runs', 'compare-cmp-a-vs-cmp-b'), { recursive: true, force: true });
    }
  });
  it('names a missing run', async () => {
    const t = io();
    assert.equal(await runCli(['compare', 'no-such-run-a', 'no-such-run-b'], t.io), 1);
    assert.match(t.out.stderr, /E_NOT_FOUND: no performance\.json in .*no-such-run-a/);
  });
});
