/**
 * @module scripts/cli/compare
 * `meshbench compare RUN_A RUN_B`: prints the differences between two benchmark runs (added
 * latency per mode, median p90/p99 per mode and connection count, and the other suites' medians:
 * throughput, proxy cost, scenarios; delta = B − A) and charts the latency differences
 * into `results/runs/compare-<A>-vs-<B>/`.
 */
import type { Command } from 'commander';
import { comparisonChart } from '../../results/charts/compare-chart.ts';
import { writeChart } from '../../results/charts/write-charts.ts';
import { compareRuns } from '../../results/performance/compare.ts';
import { RUNS_ROOT, runDirFor } from '../../results/performance/run-dir.ts';
import { readPerformanceResult } from '../../results/performance/store.ts';
import { writeFileAtomic } from '../../results/performance/write-atomic.ts';
import { contextOf } from './context.ts';
import { renderTable } from './table.ts';

const f = (v: number | null) => (v === null ? '—' : v.toFixed(3));
const signed = (v: number | null) => (v === null ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(3)}`);

/** Registers `compare`. */
export function register(program: Command): void {
  program
    .command('compare')
    .description('compare two benchmark runs (ids under results/runs/ or paths)')
    .argument('<runA>', 'the reference run')
    .argument('<runB>', 'the run compared with it')
    .action(async function (this: Command, runA: string, runB: string) {
      const ctx = contextOf(this);
      const a = await readPerformanceResult(runDirFor(runA));
      const b = await readPerformanceResult(runDirFor(runB));
      const c = compareRuns(a, b);
      ctx.print(`${c.runA} (A) vs ${c.runB} (B); delta = B − A, milliseconds`);
      if (c.summary.length) {
        ctx.print('Added latency over baseline:');
        ctx.print(
          renderTable(
            ['mode', 'p90 A', 'p90 B', 'Δ p90', 'p99 A', 'p99 B', 'Δ p99'],
            c.summary.map((s) => [
              s.mode,
              f(s.p90AddedMsA),
              f(s.p90AddedMsB),
              signed(s.p90DeltaMs),
              f(s.p99AddedMsA),
              f(s.p99AddedMsB),
              signed(s.p99DeltaMs),
            ]),
          ),
        );
      }
      ctx.print('Median latency per point:');
      ctx.print(
        renderTable(
          ['mode', 'connections', 'p90 A', 'p90 B', 'Δ p90', 'p99 A', 'p99 B', 'Δ p99'],
          c.points.map((p) => [
            p.mode,
            p.connections,
            f(p.p90MsA),
            f(p.p90MsB),
            signed(p.p90DeltaMs),
            f(p.p99MsA),
            f(p.p99MsB),
            signed(p.p99DeltaMs),
          ]),
        ),
      );
      if (c.metrics.length) {
        ctx.print('Other suites (median over repetitions or pods):');
        ctx.print(
          renderTable(
            ['suite', 'subject', 'metric', 'A', 'B', 'Δ', 'B/A'],
            c.metrics.map((m) => [m.suite, m.subject, m.metric, f(m.a), f(m.b), signed(m.delta), f(m.ratio)]),
          ),
        );
      }
      const dir = runDirFor(`compare-${c.runA}-vs-${c.runB}`.slice(0, 200), RUNS_ROOT);
      await writeFileAtomic(`${dir}/compare.json`, `${JSON.stringify(c, null, 2)}\n`);
      const chart = comparisonChart(c);
      if (chart) {
        const w = await writeChart(dir, chart);
        ctx.print(`chart: ${w.svgPath} (and .png)`);
      }
    });
}
