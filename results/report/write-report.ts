/**
 * @module results/report/write-report
 * Writes `<runDir>/report.html` from a result: charts are rendered from the result (the same specs
 * as `charts/`), the feature table comes from `<runDir>/feature-table.md` when present.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderSvg } from '../charts/render.ts';
import { performanceCharts } from '../charts/specs.ts';
import { readPerformanceResult } from '../performance/store.ts';
import type { PerformanceResult } from '../performance/types.ts';
import { writeFileAtomic } from '../performance/write-atomic.ts';
import { type ReportChart, renderReportHtml } from './html.ts';

export const REPORT_FILE = 'report.html';
export const FEATURE_TABLE_FILE = 'feature-table.md';

/** Builds and writes the report page; returns its path. */
export async function writeReport(runDir: string, result?: PerformanceResult): Promise<string> {
  const r = result ?? (await readPerformanceResult(runDir));
  const charts: ReportChart[] = [];
  for (const c of performanceCharts(r))
    charts.push({ name: c.name, title: c.title, svg: await renderSvg(c.spec) });
  const featureTableMarkdown = await readFile(join(runDir, FEATURE_TABLE_FILE), 'utf8').catch(
    () => undefined,
  );
  const path = join(runDir, REPORT_FILE);
  await writeFileAtomic(path, renderReportHtml({ result: r, charts, featureTableMarkdown }));
  return path;
}
