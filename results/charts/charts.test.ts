/**
 * @module results/charts/charts.test
 * Charts render to valid SVG whose marks carry the JSON's numbers, and to PNGs that decode.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hasCode } from '../../core/errors.ts';
import { emptyResult, sampleResult } from '../performance/testing/sample-result.ts';
import { renderSvg } from './render.ts';
import { addedLatencyChart, performanceCharts } from './specs.ts';
import { writePerformanceCharts } from './write-charts.ts';

/** `aria-label` texts of the data marks, parsed into key → value. */
function markLabels(svg: string): Record<string, string>[] {
  return [...svg.matchAll(/aria-label="([^"]*)" role="graphics-symbol"/g)]
    .map((m) => m[1]!)
    .filter((l) => l.includes(': '))
    .map((l) => Object.fromEntries(l.split('; ').map((kv) => kv.split(': ') as [string, string])));
}

describe('charts', () => {
  it('draw nothing from empty data', async () => {
    assert.deepEqual(performanceCharts(emptyResult()), []);
    await assert.rejects(writePerformanceCharts('/nonexistent', emptyResult()), (e) =>
      hasCode(e, 'E_NO_SAMPLES'),
    );
  });

  it('added-latency SVG carries the measured medians and the published figures', async () => {
    const result = sampleResult();
    const svg = await renderSvg(addedLatencyChart(result)!.spec);
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>$/);
    const labels = markLabels(svg);
    const measured = labels.filter((l) => 'measured' in l || l['medianMs'] !== undefined);
    for (const a of result.addedLatency.filter((x) => x.percentile === 'p90' || x.percentile === 'p99')) {
      const hit = measured.find(
        (l) =>
          l['mode'] === a.mode &&
          Number(l['connections']) === a.connections &&
          l['percentile'] === a.percentile,
      );
      assert.ok(hit, `no mark for ${a.mode} c=${a.connections} ${a.percentile}`);
      assert.equal(Number(hit['medianMs']), Math.round(a.medianMs * 1000) / 1000);
    }
    const published = labels.filter((l) => l['publishedMs'] !== undefined);
    assert.ok(
      published.some(
        (l) => l['mode'] === 'sidecar' && l['percentile'] === 'p90' && l['publishedMs'] === '0.63',
      ),
    );
    assert.ok(
      published.some(
        (l) => l['mode'] === 'ambient' && l['percentile'] === 'p99' && l['publishedMs'] === '0.2',
      ),
    );
    assert.ok(!published.some((l) => l['mode'] === 'waypoint'), 'no reference for a mode not measured');
  });

  it('writes SVG and decodable PNG files for every chart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mb-charts-'));
    try {
      const written = await writePerformanceCharts(dir, sampleResult());
      assert.deepEqual(
        written.map((w) => w.name),
        [
          'added-latency-summary',
          'added-latency',
          'latency-percentiles',
          'throughput',
          'resources',
          'scaling',
        ],
      );
      for (const w of written) {
        const png = await readFile(w.pngPath);
        assert.deepEqual(
          [...png.subarray(0, 8)],
          [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
          `${w.name} PNG signature`,
        );
        assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
        const width = png.readUInt32BE(16);
        const height = png.readUInt32BE(20);
        const m = /width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"/.exec(w.svg)!;
        assert.equal(width, Math.round(Number(m[1]) * 2), `${w.name} PNG width`);
        assert.equal(height, Math.round(Number(m[2]) * 2), `${w.name} PNG height`);
        assert.ok(png.length > 1000);
        const svg = await readFile(w.svgPath, 'utf8');
        assert.ok(markLabels(svg).length > 0, `${w.name} has data marks`);
      }
      const pct = written.find((w) => w.name === 'latency-percentiles')!;
      const points = markLabels(pct.svg).filter((l) => l['latencyMs'] !== undefined);
      assert.equal(points.length, sampleResult().latency.length * 3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
