/**
 * @module results/report/html
 * The report page: one self-contained HTML document (inline CSS, inline SVG charts, no script, no
 * external fetch) built from a `PerformanceResult`, its rendered charts and, when present, the
 * conformance feature table's Markdown. Every measured number sits in a cell with `data-*`
 * attributes naming its mode and field, so the browser test can compare it with the JSON.
 */
import { PUBLISHED_ADDED_LATENCY } from '../performance/published.ts';
import { summariseResources } from '../performance/resource-summary.ts';
import type { PerformanceResult } from '../performance/types.ts';
import { escapeHtml, markdownToHtml } from './markdown-table.ts';

/** A chart as the page embeds it. */
export interface ReportChart {
  name: string;
  title: string;
  svg: string;
}

export interface ReportInput {
  result: PerformanceResult;
  charts: readonly ReportChart[];
  /** Contents of `feature-table.md`, if the run has one. */
  featureTableMarkdown?: string | undefined;
}

/** Milliseconds with three decimals (microsecond precision), as printed everywhere in the report. */
export function formatMs(v: number): string {
  return v.toFixed(3);
}

const CSS = `body{font-family:'DejaVu Sans',system-ui,sans-serif;margin:2rem;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}
th{background:#f3f3f3}td.t,th.t{text-align:left}figure{margin:1.5rem 0}figure svg{max-width:100%;height:auto}
.meta td{text-align:left}.warn{color:#8a4b00}code{background:#f6f6f6;padding:0 .2rem}`;

function cell(value: string, attrs: Record<string, string | number> = {}, cls = ''): string {
  const a = Object.entries(attrs)
    .map(([k, v]) => ` data-${k}="${escapeHtml(String(v))}"`)
    .join('');
  return `<td${cls ? ` class="${cls}"` : ''}${a}>${escapeHtml(value)}</td>`;
}

function summaryTable(r: PerformanceResult): string {
  if (r.summary.length === 0) {
    return '<p class="warn" id="no-summary">No added latency: no mesh mode was measured against baseline in this run.</p>';
  }
  const rows = r.summary
    .map((s) => {
      const pub = PUBLISHED_ADDED_LATENCY[s.mode];
      return `<tr data-mode="${s.mode}">${cell(s.mode, {}, 't')}${cell(formatMs(s.p90AddedMs), { field: 'p90AddedMs', mode: s.mode })}${cell(
        formatMs(s.p99AddedMs),
        { field: 'p99AddedMs', mode: s.mode },
      )}${cell(`${pub.p90Ms.toFixed(2)} / ${pub.p99Ms.toFixed(2)}`, { field: 'published', mode: s.mode })}</tr>`;
    })
    .join('');
  return `<table id="summary"><thead><tr><th class="t">mode</th><th>added p90 (ms)</th><th>added p99 (ms)</th><th>published p90 / p99 (ms)</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function latencyTable(r: PerformanceResult): string {
  const rows = r.latency
    .map(
      (p, i) =>
        `<tr data-index="${i}">${cell(p.mode, {}, 't')}${cell(String(p.connections))}${cell(String(p.repetition))}${cell(p.qpsActual.toFixed(1))}${cell(
          String(p.sampleCount),
        )}${(['p50Ms', 'p90Ms', 'p99Ms', 'p999Ms'] as const).map((f) => cell(formatMs(p[f]), { field: f, index: i })).join('')}${cell(
          Object.entries(p.errorsByCode)
            .map(([c, n]) => `${c}×${n}`)
            .join(' ') || '—',
          {},
          't',
        )}</tr>`,
    )
    .join('');
  return `<table id="latency"><thead><tr><th class="t">mode</th><th>connections</th><th>repetition</th><th>qps</th><th>samples</th><th>p50 (ms)</th><th>p90 (ms)</th><th>p99 (ms)</th><th>p99.9 (ms)</th><th class="t">errors</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function throughputTable(r: PerformanceResult): string {
  if (r.throughput.length === 0) return '';
  const rows = r.throughput
    .map(
      (p) =>
        `<tr>${cell(p.mode, {}, 't')}${cell(p.test, {}, 't')}${cell(p.ratePerSecond.toFixed(0))}${cell((p.bytesPerSecond / 1e6).toFixed(2))}${cell(formatMs(p.p50Ms))}${cell(formatMs(p.p99Ms))}</tr>`,
    )
    .join('');
  return `<h2>Throughput and connections (fortio)</h2><table id="throughput"><thead><tr><th class="t">mode</th><th class="t">test</th><th>calls/s</th><th>MB/s</th><th>p50 (ms)</th><th>p99 (ms)</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function scenariosTable(r: PerformanceResult): string {
  const points = r.scenarios ?? [];
  if (points.length === 0) return '';
  const rows = points
    .map((p) => {
      const failed = Object.entries(p.thresholds)
        .filter(([, t]) => !t.ok)
        .map(([k, t]) => `${k} ${t.actual.toFixed(3)} > ${t.limit}`)
        .join(', ');
      return `<tr>${cell(p.mode, {}, 't')}${cell(p.scenario, {}, 't')}${cell(String(p.repetition))}${cell(p.qpsActual.toFixed(0))}${cell(formatMs(p.p50Ms))}${cell(formatMs(p.p99Ms))}${cell(p.ok ? 'ok' : `failed: ${failed}`, {}, 't')}</tr>`;
    })
    .join('');
  return `<h2>Scripted L7 scenarios (autocannon)</h2><table id="scenarios"><thead><tr><th class="t">mode</th><th class="t">scenario</th><th>rep</th><th>req/s</th><th>p50 (ms)</th><th>p99 (ms)</th><th class="t">thresholds</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function resourceSummaryTable(r: PerformanceResult): string {
  const rows = summariseResources(r);
  if (rows.length === 0) return '';
  const body = rows
    .map(
      (x) =>
        `<tr>${cell(x.mode, {}, 't')}${cell(String(x.proxies))}${cell(x.vcpuPer1000Rps.toFixed(3), { field: 'vcpuPer1000Rps', mode: x.mode })}${cell(
          x.peakMemoryMiB.toFixed(1),
          { field: 'peakMemoryMiB', mode: x.mode },
        )}${cell(`${x.publishedVcpuPer1000Rps.toFixed(2)} vCPU / ${x.publishedMemoryMiB} MB`)}</tr>`,
    )
    .join('');
  return `<h2>Average resource cost (proxies on the request path, per 1000 rps)</h2><table id="resource-summary"><thead><tr><th class="t">mode</th><th>proxies</th><th>vCPU</th><th>peak MiB</th><th>published (Istio 1.24)</th></tr></thead><tbody>${body}</tbody></table>`;
}

function resourceTable(r: PerformanceResult): string {
  if (r.resources.length === 0) return '';
  const rows = r.resources
    .map(
      (p) =>
        `<tr>${cell(p.mode, {}, 't')}${cell(p.component, {}, 't')}${cell(p.pod, {}, 't')}${cell(p.rps.toFixed(0))}${cell(p.cpuCoresPer1000Rps.toFixed(3))}${cell(p.peakMemoryMiB.toFixed(1))}</tr>`,
    )
    .join('');
  return `<h2>Resource cost</h2><table id="resources"><thead><tr><th class="t">mode</th><th class="t">component</th><th class="t">pod</th><th>rps</th><th>vCPU per 1000 rps</th><th>peak MiB</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Builds the whole page. */
export function renderReportHtml(input: ReportInput): string {
  const r = input.result;
  const e = r.environment;
  const s = r.settings;
  const meta: [string, string][] = [
    ['run', r.runId],
    ['started', r.startedAt],
    ['finished', r.finishedAt ?? 'not finished'],
    ['complete', String(r.complete)],
    ['CPU', `${e.cpuModel} × ${e.cores}`],
    ['kernel', `${e.platform} ${e.kernel}`],
    ['Node.js', e.nodeVersion],
    [
      'tools',
      Object.entries(e.tools)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '—',
    ],
    ['mesh', `${e.mesh.implementation} ${e.mesh.version}`.trim()],
    ['cluster', `${e.cluster.provider}/${e.cluster.name}, ${e.cluster.nodes} nodes`],
    [
      'load average (1/5/15 min)',
      e.loadAverage
        ? `start ${e.loadAverage.start.join(' / ')}${e.loadAverage.end ? `, end ${e.loadAverage.end.join(' / ')}` : ''}`
        : 'not recorded',
    ],
    [
      'method',
      `${s.protocol}, ${s.payloadBytes} B, ${s.qps} qps, connections ${s.connections.join(',')}, ${s.durationSeconds} s × ${s.repetitions} repetitions, ${s.uniform ? '-uniform ' : ''}${s.noCatchUp ? '-nocatchup' : ''}, ${s.crossNode ? 'client and server on different nodes' : 'client and server on the same node'} (profile ${s.profile})`,
    ],
  ];
  const skipped = r.skippedModes.length
    ? `<ul id="skipped">${r.skippedModes.map((m) => `<li class="warn"><strong>${m.mode}</strong> not measured: ${escapeHtml(m.reason)}</li>`).join('')}</ul>`
    : '';
  const charts = input.charts
    .map(
      (c) =>
        `<figure id="chart-${c.name}" data-chart="${c.name}"><figcaption>${escapeHtml(c.title)}</figcaption>${c.svg.replace(/^<\?xml[^>]*>/, '')}</figure>`,
    )
    .join('\n');
  const features = input.featureTableMarkdown
    ? `<section id="features"><h2>Feature table (conformance outcomes)</h2>${markdownToHtml(input.featureTableMarkdown)}</section>`
    : '<p id="no-features">No feature table in this run (run the conformance suite to add one).</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>meshbench report ${escapeHtml(r.runId)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>${CSS}</style></head><body>
<h1>meshbench report</h1>
<table class="meta" id="meta"><tbody>${meta.map(([k, v]) => `<tr><th class="t">${k}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</tbody></table>
<h2>Average latency (p90/p99): added over baseline</h2>
${summaryTable(r)}
${skipped}
<h2>Charts</h2>
${charts || '<p id="no-charts">No charts: this run has no samples to draw.</p>'}
<h2>Latency points</h2>
${latencyTable(r)}
${throughputTable(r)}
${scenariosTable(r)}
${resourceSummaryTable(r)}
${resourceTable(r)}
${features}
</body></html>
`;
}
