/**
 * @module results/charts/compare-chart
 * Chart of a run comparison: median p90/p99 per mode and connection count, run A against run B.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { RunComparison } from '../performance/compare.ts';
import type { ChartSpec } from './specs.ts';

/** Grouped bars (run A, run B) per mode × connections, one panel per percentile; `undefined` with no shared data. */
export function comparisonChart(c: RunComparison): ChartSpec | undefined {
  const rows = c.points.flatMap((p) =>
    (
      [
        ['p90', 'A', p.p90MsA],
        ['p90', 'B', p.p90MsB],
        ['p99', 'A', p.p99MsA],
        ['p99', 'B', p.p99MsB],
      ] as const
    )
      .filter(([, , v]) => v !== null)
      .map(([percentile, run, v]) => ({
        group: `${p.mode} c=${p.connections}`,
        order: ['baseline', 'ambient', 'waypoint', 'sidecar'].indexOf(p.mode) * 1000 + p.connections,
        mode: p.mode,
        connections: p.connections,
        percentile,
        run: run === 'A' ? c.runA : c.runB,
        latencyMs: Math.round((v as number) * 1000) / 1000,
      })),
  );
  if (rows.length === 0) return undefined;
  return {
    name: 'compare',
    title: `${c.runA} vs ${c.runB}`,
    rows,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      background: 'white',
      config: { font: 'DejaVu Sans' },
      title: `Latency, ${c.runA} (A) vs ${c.runB} (B)`,
      data: { values: rows },
      transform: [
        {
          calculate:
            '"run: " + datum.run + "; group: " + datum.group + "; percentile: " + datum.percentile + "; latencyMs: " + datum.latencyMs',
          as: 'desc',
        },
      ],
      facet: { row: { field: 'percentile', type: 'nominal', title: null } },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 420,
        height: 160,
        mark: 'bar',
        encoding: {
          x: { field: 'group', type: 'nominal', title: null, sort: { field: 'order', op: 'min' } },
          xOffset: { field: 'run', type: 'nominal', sort: [c.runA, c.runB] },
          y: { field: 'latencyMs', type: 'quantitative', title: 'median latency (ms)' },
          color: { field: 'run', type: 'nominal', sort: [c.runA, c.runB], title: 'run' },
          description: { field: 'desc', type: 'nominal' },
        },
      },
    } as TopLevelSpec,
  };
}
