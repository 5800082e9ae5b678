/**
 * @module results/charts/scenarios-chart.test
 * The scenario chart: nothing drawn without scenario samples; the SVG's marks carry the medians of
 * the JSON's points; a scenario-only run renders (charts are not refused for lack of latency points);
 * the schema accepts results with and without `scenarios`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validatePerformanceResult } from '../performance/schema.ts';
import { emptyResult, sampleResult } from '../performance/testing/sample-result.ts';
import type { ScenarioPoint } from '../performance/types.ts';
import { renderSvg } from './render.ts';
import { scenariosChart } from './specs.ts';
import { writePerformanceCharts } from './write-charts.ts';

function point(mode: ScenarioPoint['mode'], repetition: number, p50Ms: number, p99Ms: number): ScenarioPoint {
  return {
    mode,
    scenario: 'echo-mixed',
    repetition,
    tool: 'autocannon',
    startedAt: '2026-11-26T20:00:00.000Z',
    qpsRequested: 400,
    qpsActual: 398,
    durationSeconds: 2,
    connections: 4,
    sampleCount: 796,
    okCount: 597,
    p50Ms,
    p90Ms: p99Ms,
    p99Ms,
    p999Ms: p99Ms,
    errorsByCode: { '503': 199 },
    thresholds: { errorRate: { limit: 0.3, actual: 0.25, ok: true } },
    ok: true,
  };
}

describe('scenarios chart', () => {
  it('draws nothing without scenario samples', () => {
    assert.equal(scenariosChart(sampleResult()), undefined);
    assert.equal(scenariosChart({ ...emptyResult(), scenarios: [] }), undefined);
  });

  it('marks carry the medians over repetitions', async () => {
    const result = {
      ...emptyResult(),
      scenarios: [point('baseline', 0, 1, 3), point('baseline', 1, 1, 5), point('ambient', 0, 2, 7)],
    };
    validatePerformanceResult(result);
    const chart = scenariosChart(result)!;
    assert.equal(chart.rows.length, 6);
    const svg = await renderSvg(chart.spec);
    assert.match(svg, /^<svg /);
    const labels = [...svg.matchAll(/aria-label="([^"]*)" role="graphics-symbol"/g)].map((m) => m[1]!);
    const bars = labels.filter((l) => l.startsWith('mode: '));
    assert.ok(
      bars.some((l) => l.includes('mode: ambient') && l.includes('percentile: p99') && l.includes('ms: 7')),
    );
    assert.ok(bars.some((l) => l.includes('mode: baseline') && l.includes('percentile: p99')));
  });

  it('a scenario-only run is drawn; the schema still accepts files without scenarios', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mb-scen-chart-'));
    try {
      const written = await writePerformanceCharts(dir, {
        ...emptyResult(),
        scenarios: [point('baseline', 0, 1, 2)],
      });
      assert.deepEqual(
        written.map((w) => w.name),
        ['scenarios'],
      );
      const { scenarios: _, ...without } = { ...emptyResult(), scenarios: [] };
      validatePerformanceResult(without);
      assert.throws(
        () =>
          validatePerformanceResult({
            ...emptyResult(),
            scenarios: [{ ...point('baseline', 0, 1, 2), p99Ms: -1 }],
          }),
        /\/scenarios\/0\/p99Ms/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
