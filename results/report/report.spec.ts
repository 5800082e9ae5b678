/**
 * @module results/report/report.spec
 * Opens the generated report page in Chromium (file://) and checks that the charts and tables are
 * there and that the numbers shown match performance.json. Uses the fixture result, or the run in
 * MESHBENCH_REPORT_RUN (a run directory) when set.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from '@playwright/test';
import { performanceCharts } from '../charts/specs.ts';
import { summariseResources } from '../performance/resource-summary.ts';
import { readPerformanceResult, writePerformanceResult } from '../performance/store.ts';
import { sampleResult } from '../performance/testing/sample-result.ts';
import type { PerformanceResult } from '../performance/types.ts';
import { formatMs } from './html.ts';
import { writeReport } from './write-report.ts';

const FEATURE_TABLE = `## Traffic management

| feature | baseline | ambient | sidecar |
| --- | --- | --- | --- |
| l7.fault-injection | not-applicable | requires-waypoint | [passed](evidence/fault.txt) |
`;

let dir: string;
let result: PerformanceResult;
let ownDir = false;

test.beforeAll(async () => {
  const given = process.env.MESHBENCH_REPORT_RUN;
  if (given) {
    dir = given;
    result = await readPerformanceResult(dir);
  } else {
    dir = await mkdtemp(join(tmpdir(), 'mb-report-'));
    ownDir = true;
    result = sampleResult();
    await writePerformanceResult(dir, result);
    await writeFile(join(dir, 'feature-table.md'), FEATURE_TABLE);
  }
  await writeReport(dir);
});

test.afterAll(async () => {
  if (ownDir) await rm(dir, { recursive: true, force: true });
});

test('report page shows every chart as inline SVG with data marks', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  await page.goto(pathToFileURL(join(dir, 'report.html')).href);
  await expect(page.locator('h1')).toHaveText('meshbench report');
  const expected = performanceCharts(result).map((c) => c.name);
  await expect(page.locator('figure[data-chart]')).toHaveCount(expected.length);
  for (const name of expected) {
    const svg = page.locator(`#chart-${name} svg`);
    await expect(svg).toBeVisible();
    const box = await svg.boundingBox();
    expect(box && box.width > 100 && box.height > 100).toBeTruthy();
    expect(
      await page.locator(`#chart-${name} [role="graphics-symbol"][aria-label*=": "]`).count(),
    ).toBeGreaterThan(0);
  }
  expect(errors).toEqual([]);
});

test('numbers in the tables match performance.json', async ({ page }) => {
  await page.goto(pathToFileURL(join(dir, 'report.html')).href);
  await expect(page.locator('#meta')).toContainText(result.runId);
  for (const s of result.summary) {
    await expect(page.locator(`#summary td[data-field="p90AddedMs"][data-mode="${s.mode}"]`)).toHaveText(
      formatMs(s.p90AddedMs),
    );
    await expect(page.locator(`#summary td[data-field="p99AddedMs"][data-mode="${s.mode}"]`)).toHaveText(
      formatMs(s.p99AddedMs),
    );
  }
  for (const x of summariseResources(result)) {
    await expect(
      page.locator(`#resource-summary td[data-field="vcpuPer1000Rps"][data-mode="${x.mode}"]`),
    ).toHaveText(x.vcpuPer1000Rps.toFixed(3));
  }
  await expect(page.locator('#latency tbody tr')).toHaveCount(result.latency.length);
  for (const [i, p] of result.latency.entries()) {
    await expect(page.locator(`#latency td[data-index="${i}"][data-field="p90Ms"]`)).toHaveText(
      formatMs(p.p90Ms),
    );
    await expect(page.locator(`#latency td[data-index="${i}"][data-field="p99Ms"]`)).toHaveText(
      formatMs(p.p99Ms),
    );
  }
  for (const s of result.skippedModes) await expect(page.locator('#skipped')).toContainText(s.reason);
  // the added-latency chart draws the same medians the JSON holds
  const labels = await page
    .locator('#chart-added-latency [aria-label^="measured"]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  for (const a of result.addedLatency.filter((x) => x.percentile === 'p90')) {
    expect(labels).toContain(
      `measured; mode: ${a.mode}; connections: ${a.connections}; percentile: p90; medianMs: ${Math.round(a.medianMs * 1000) / 1000}`,
    );
  }
});

test('feature table is rendered when the run has one', async ({ page }) => {
  await page.goto(pathToFileURL(join(dir, 'report.html')).href);
  const md = await readFile(join(dir, 'feature-table.md'), 'utf8').catch(() => undefined);
  if (!md) {
    await expect(page.locator('#no-features')).toBeVisible();
    return;
  }
  await expect(page.locator('#features table.feature-table')).toBeVisible();
  if (ownDir) {
    await expect(page.locator('#features td').filter({ hasText: 'l7.fault-injection' })).toHaveCount(1);
    await expect(page.locator('#features a[href="evidence/fault.txt"]')).toHaveText('passed');
  }
});
