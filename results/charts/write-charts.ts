/**
 * @module results/charts/write-charts
 * Renders every chart of a result into `<runDir>/charts/<name>.svg|.png` (plus the vega-lite spec
 * as `<name>.vl.json`), atomically. Refuses, with `E_NO_SAMPLES`, a result with nothing to draw (a
 * throughput-only or scenario-only run is drawn; an empty one is not).
 */
import { join } from 'node:path';
import { MeshbenchError } from '../../core/errors.ts';
import type { PerformanceResult } from '../performance/types.ts';
import { writeFileAtomic } from '../performance/write-atomic.ts';
import { renderSvg, svgToPng } from './render.ts';
import { type ChartSpec, performanceCharts } from './specs.ts';

export interface WrittenChart {
  name: string;
  title: string;
  svgPath: string;
  pngPath: string;
  svg: string;
}

/** Renders one chart to SVG and PNG in `dir`. */
export async function writeChart(dir: string, chart: ChartSpec): Promise<WrittenChart> {
  const svg = await renderSvg(chart.spec);
  const svgPath = join(dir, `${chart.name}.svg`);
  const pngPath = join(dir, `${chart.name}.png`);
  await writeFileAtomic(join(dir, `${chart.name}.vl.json`), `${JSON.stringify(chart.spec, null, 2)}\n`);
  await writeFileAtomic(svgPath, svg);
  await writeFileAtomic(pngPath, svgToPng(svg));
  return { name: chart.name, title: chart.title, svgPath, pngPath, svg };
}

/** Writes all charts of `result` under `<runDir>/charts/`. */
export async function writePerformanceCharts(
  runDir: string,
  result: PerformanceResult,
): Promise<WrittenChart[]> {
  const charts = performanceCharts(result);
  if (charts.length === 0) {
    throw new MeshbenchError(
      'E_NO_SAMPLES',
      `run ${result.runId} has no samples in any suite: no chart is drawn from empty data`,
      {
        hint: 'rerun the suites; modes skipped are listed in performance.json skippedModes',
      },
    );
  }
  const dir = join(runDir, 'charts');
  const out: WrittenChart[] = [];
  for (const chart of charts) out.push(await writeChart(dir, chart));
  return out;
}
