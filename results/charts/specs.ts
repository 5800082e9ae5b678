/**
 * @module results/charts/specs
 * vega-lite specs of the performance charts, built from a `PerformanceResult`. Each builder returns
 * the spec and the exact rows it plots (so tests and the report can check the drawing against the
 * JSON), or `undefined` when there is nothing to draw: no chart is ever drawn from empty data.
 */
import type { TopLevelSpec } from 'vega-lite';
import { PUBLISHED_ADDED_LATENCY, PUBLISHED_RESOURCES } from '../performance/published.ts';
import type { PerformanceResult } from '../performance/types.ts';

/** A chart ready to render. */
export interface ChartSpec {
  /** File stem: `latency-percentiles` → `latency-percentiles.svg` / `.png`. */
  name: string;
  title: string;
  spec: TopLevelSpec;
  rows: Record<string, string | number>[];
}

const MODE_ORDER = ['baseline', 'ambient', 'waypoint', 'sidecar'];
const MODE_COLORS = ['#7f7f7f', '#1f77b4', '#ff7f0e', '#d62728'];
const modeColor = {
  field: 'mode',
  type: 'nominal',
  title: 'mode',
  scale: { domain: MODE_ORDER, range: MODE_COLORS },
} as const;
const BASE = {
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  background: 'white',
  config: { font: 'DejaVu Sans' },
} as const;

/**
 * Adds an accessible description to a layer's marks (`aria-label` in the SVG): `expr` is a vega
 * expression over `datum`, giving `key: value; key: value` so tests and readers can read the
 * numbers each mark was drawn from.
 */
function described<T extends { transform?: unknown[]; encoding: Record<string, unknown> }>(
  layer: T,
  expr: string,
): T {
  return {
    ...layer,
    transform: [...(layer.transform ?? []), { calculate: expr, as: 'desc' }],
    encoding: { ...layer.encoding, description: { field: 'desc', type: 'nominal' } },
  };
}

/** Values in charts are rounded to the microsecond (3 decimals of a millisecond). */
const r3 = (v: number) => Math.round(v * 1000) / 1000;

/** Latency percentiles (p50/p90/p99) by mode and connection count, every repetition as a point. */
export function latencyPercentilesChart(result: PerformanceResult): ChartSpec | undefined {
  const rows = result.latency
    .filter((p) => p.sampleCount > 0)
    .flatMap((p) =>
      (['p50', 'p90', 'p99'] as const).map((percentile) => ({
        mode: p.mode,
        connections: p.connections,
        repetition: p.repetition,
        percentile,
        latencyMs: r3(p[`${percentile}Ms`]),
      })),
    );
  if (rows.length === 0) return undefined;
  return {
    name: 'latency-percentiles',
    title: 'Latency percentiles by mode and connections',
    rows,
    spec: {
      ...BASE,
      title: `Latency at ${result.settings.qps} qps, ${result.settings.payloadBytes} B payload (fortio, each repetition)`,
      data: { values: rows },
      facet: { column: { field: 'percentile', type: 'nominal', sort: ['p50', 'p90', 'p99'], title: null } },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 220,
        height: 200,
        layer: [
          {
            mark: { type: 'line' },
            encoding: {
              x: {
                field: 'connections',
                type: 'quantitative',
                scale: { type: 'log', base: 2 },
                axis: { values: result.settings.connections, format: 'd' },
                title: 'connections',
              },
              y: { aggregate: 'median', field: 'latencyMs', type: 'quantitative', title: 'latency (ms)' },
              color: modeColor,
            },
          },
          described(
            {
              mark: { type: 'point', filled: true, size: 30 },
              encoding: {
                x: {
                  field: 'connections',
                  type: 'quantitative',
                  scale: { type: 'log', base: 2 },
                  axis: { values: result.settings.connections, format: 'd' },
                },
                y: { field: 'latencyMs', type: 'quantitative' },
                color: modeColor,
              },
            },
            '"mode: " + datum.mode + "; connections: " + datum.connections + "; percentile: " + datum.percentile + "; repetition: " + datum.repetition + "; latencyMs: " + datum.latencyMs',
          ),
        ],
      },
    } as TopLevelSpec,
  };
}

/**
 * Added latency over baseline (median across repetitions, min–max whiskers) by connections, for
 * p90 and p99, with the seed's published figures as dashed reference rules.
 */
export function addedLatencyChart(result: PerformanceResult): ChartSpec | undefined {
  const measured = result.addedLatency
    .filter((a) => a.percentile === 'p90' || a.percentile === 'p99')
    .map((a) => ({
      kind: 'measured',
      mode: a.mode,
      connections: a.connections,
      percentile: a.percentile,
      medianMs: r3(a.medianMs),
      minMs: r3(a.minMs),
      maxMs: r3(a.maxMs),
    }));
  if (measured.length === 0) return undefined;
  const modes = new Set(measured.map((m) => m.mode));
  const published = Object.entries(PUBLISHED_ADDED_LATENCY)
    .filter(([mode]) => modes.has(mode as never))
    .flatMap(([mode, v]) => [
      { kind: 'published', mode, percentile: 'p90', publishedMs: v.p90Ms },
      { kind: 'published', mode, percentile: 'p99', publishedMs: v.p99Ms },
    ]);
  const rows = [...measured, ...published] as Record<string, string | number>[];
  const x = {
    field: 'connections',
    type: 'quantitative',
    scale: { type: 'log', base: 2 },
    axis: { values: result.settings.connections, format: 'd' },
    title: 'connections',
  } as const;
  return {
    name: 'added-latency',
    title: 'Added latency over baseline, with published figures',
    rows,
    spec: {
      ...BASE,
      title: 'Added latency over baseline (median, min–max over repetitions); dashed: published (istio.io)',
      data: { values: rows },
      facet: { column: { field: 'percentile', type: 'nominal', sort: ['p90', 'p99'], title: null } },
      spec: {
        width: 260,
        height: 220,
        layer: [
          {
            transform: [{ filter: "datum.kind === 'measured'" }],
            mark: { type: 'rule' },
            encoding: {
              x,
              y: { field: 'minMs', type: 'quantitative', title: 'added latency (ms)' },
              y2: { field: 'maxMs' },
              color: modeColor,
            },
          },
          described(
            {
              transform: [{ filter: "datum.kind === 'measured'" }],
              mark: { type: 'line', point: { filled: true, size: 40 } },
              encoding: {
                x,
                y: { field: 'medianMs', type: 'quantitative' },
                color: modeColor,
              },
            },
            '"measured; mode: " + datum.mode + "; connections: " + datum.connections + "; percentile: " + datum.percentile + "; medianMs: " + datum.medianMs',
          ),
          described(
            {
              transform: [{ filter: "datum.kind === 'published'" }],
              mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 },
              encoding: {
                y: { field: 'publishedMs', type: 'quantitative' },
                color: modeColor,
              },
            },
            '"published; mode: " + datum.mode + "; percentile: " + datum.percentile + "; publishedMs: " + datum.publishedMs',
          ),
        ],
      },
    } as TopLevelSpec,
  };
}

/** The regenerated seed row: one bar per mode and percentile (median over connections), spread as whiskers, published as ticks. */
export function addedLatencySummaryChart(result: PerformanceResult): ChartSpec | undefined {
  const rows = result.summary.flatMap((s) =>
    (['p90', 'p99'] as const).map((percentile) => {
      const all = result.addedLatency.filter((a) => a.mode === s.mode && a.percentile === percentile);
      return {
        mode: s.mode,
        percentile,
        addedMs: r3(percentile === 'p90' ? s.p90AddedMs : s.p99AddedMs),
        lowMs: r3(Math.min(...all.map((a) => a.minMs))),
        highMs: r3(Math.max(...all.map((a) => a.maxMs))),
        publishedMs: PUBLISHED_ADDED_LATENCY[s.mode][`${percentile}Ms`],
      };
    }),
  );
  if (rows.length === 0) return undefined;
  const x = { field: 'mode', type: 'nominal', sort: MODE_ORDER, title: null } as const;
  return {
    name: 'added-latency-summary',
    title: 'Average latency (p90/p99): measured vs published',
    rows,
    spec: {
      ...BASE,
      title: 'Added latency (p90/p99): bars measured (whiskers: min–max), black ticks published',
      data: { values: rows },
      facet: { column: { field: 'percentile', type: 'nominal', sort: ['p90', 'p99'], title: null } },
      spec: {
        width: 180,
        height: 220,
        layer: [
          described(
            {
              mark: { type: 'bar' },
              encoding: {
                x,
                y: { field: 'addedMs', type: 'quantitative', title: 'added latency (ms)' },
                color: modeColor,
              },
            },
            '"mode: " + datum.mode + "; percentile: " + datum.percentile + "; addedMs: " + datum.addedMs',
          ),
          {
            mark: { type: 'rule', color: '#333' },
            encoding: { x, y: { field: 'lowMs', type: 'quantitative' }, y2: { field: 'highMs' } },
          },
          {
            mark: { type: 'tick', color: 'black', thickness: 3 },
            encoding: { x, y: { field: 'publishedMs', type: 'quantitative' } },
          },
        ],
      },
    } as TopLevelSpec,
  };
}

/** vCPU per 1000 rps and peak memory of each proxy component, with the published Istio 1.24 figures. */
export function resourcesChart(result: PerformanceResult): ChartSpec | undefined {
  const measured = result.resources
    .filter((p) => p.component !== 'application')
    .map((p) => ({
      source: 'measured',
      label: `${p.mode}/${p.component} ${p.pod.split('/').pop()}`, // one bar per proxy pod, as published per proxy
      mode: p.mode,
      component: p.component,
      vcpuPer1000Rps: r3(p.cpuCoresPer1000Rps),
      peakMemoryMiB: r3(p.peakMemoryMiB),
    }));
  if (measured.length === 0) return undefined;
  const published = Object.entries(PUBLISHED_RESOURCES).map(([component, v]) => ({
    source: 'published (Istio 1.24)',
    label: `published/${component}`,
    mode: component === 'ztunnel' ? 'ambient' : component === 'waypoint' ? 'waypoint' : 'sidecar',
    component,
    vcpuPer1000Rps: v.vcpu,
    peakMemoryMiB: v.memoryMiB,
  }));
  const rows = [...measured, ...published];
  const bar = (field: string, title: string) =>
    described(
      {
        width: 260,
        height: 200,
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'label', type: 'nominal', title: null, axis: { labelLimit: 320 } },
          x: { field, type: 'quantitative', title },
          color: modeColor,
          opacity: {
            field: 'source',
            type: 'nominal',
            sort: ['measured', 'published (Istio 1.24)'],
            scale: { domain: ['measured', 'published (Istio 1.24)'], range: [1, 0.4] },
            title: null,
            legend: { labelLimit: 300 },
          },
        },
      },
      `"label: " + datum.label + "; ${field}: " + datum.${field}`,
    );
  return {
    name: 'resources',
    title: 'Proxy cost per 1000 rps',
    rows,
    spec: {
      ...BASE,
      title: 'Proxy resource cost at 1000 rps, 1 KB',
      data: { values: rows },
      hconcat: [bar('vcpuPer1000Rps', 'vCPU per 1000 rps'), bar('peakMemoryMiB', 'peak memory (MiB)')],
    } as TopLevelSpec,
  };
}

/** Total proxy memory as replicas grow: sidecar per pod against ztunnel per node. */
export function scalingChart(result: PerformanceResult): ChartSpec | undefined {
  const rows = result.scaling.map((s) => ({
    mode: s.mode,
    replicas: s.replicas,
    proxies: s.proxies,
    totalProxyMemoryMiB: r3(s.totalProxyMemoryMiB),
  }));
  if (rows.length === 0) return undefined;
  return {
    name: 'scaling',
    title: 'Proxy memory as replicas grow',
    rows,
    spec: {
      ...BASE,
      title: 'Total proxy memory vs application replicas',
      width: 360,
      height: 220,
      data: { values: rows },
      ...described(
        {
          mark: { type: 'line', point: { filled: true, size: 40 } },
          encoding: {
            x: {
              field: 'replicas',
              type: 'quantitative',
              scale: { type: 'log', base: 2 },
              title: 'server replicas',
            },
            y: { field: 'totalProxyMemoryMiB', type: 'quantitative', title: 'total proxy memory (MiB)' },
            color: modeColor,
          },
        },
        '"mode: " + datum.mode + "; replicas: " + datum.replicas + "; totalProxyMemoryMiB: " + datum.totalProxyMemoryMiB',
      ),
    } as TopLevelSpec,
  };
}

/** Throughput and connection tests per mode: calls per second (and MB/s for bulk), one panel per test. */
export function throughputChart(result: PerformanceResult): ChartSpec | undefined {
  const rows = result.throughput.map((t) => ({
    mode: t.mode,
    test: t.test,
    repetition: t.repetition,
    ratePerSecond: Math.round(t.ratePerSecond),
    megabytesPerSecond: Math.round(t.bytesPerSecond / 1e4) / 100,
  }));
  if (rows.length === 0) return undefined;
  return {
    name: 'throughput',
    title: 'Throughput and connection rate by mode',
    rows,
    spec: {
      ...BASE,
      title: 'One connection: tcp-bulk (64 KiB echo), tcp-rr (1 B round trips), http-new-connection (fortio)',
      data: { values: rows },
      facet: {
        column: {
          field: 'test',
          type: 'nominal',
          sort: ['tcp-bulk', 'tcp-rr', 'http-new-connection'],
          title: null,
        },
      },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 160,
        height: 200,
        ...described(
          {
            mark: { type: 'bar' },
            encoding: {
              x: { field: 'mode', type: 'nominal', sort: MODE_ORDER, title: null },
              y: {
                aggregate: 'median',
                field: 'ratePerSecond',
                type: 'quantitative',
                title: 'calls per second',
              },
              color: modeColor,
            },
          },
          '"mode: " + datum.mode + "; test: " + datum.test + "; ratePerSecond: " + datum.ratePerSecond + "; megabytesPerSecond: " + datum.megabytesPerSecond',
        ),
      },
    } as TopLevelSpec,
  };
}

/** Scripted L7 scenarios: p50 and p99 by mode, one panel per scenario, every repetition a row. */
export function scenariosChart(result: PerformanceResult): ChartSpec | undefined {
  const rows = (result.scenarios ?? [])
    .filter((p) => p.sampleCount > 0)
    .flatMap((p) =>
      (['p50', 'p99'] as const).map((percentile) => ({
        mode: p.mode,
        scenario: p.scenario,
        repetition: p.repetition,
        percentile,
        ms: r3(p[`${percentile}Ms`]),
        qpsActual: Math.round(p.qpsActual),
      })),
    );
  if (rows.length === 0) return undefined;
  return {
    name: 'scenarios',
    title: 'Scripted L7 scenarios (autocannon) by mode',
    rows,
    spec: {
      ...BASE,
      title:
        'Scripted L7 scenarios: median over repetitions of p50 and p99 (autocannon, run in the client pod)',
      data: { values: rows },
      facet: { column: { field: 'scenario', type: 'nominal', title: null } },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 200,
        height: 200,
        ...described(
          {
            mark: { type: 'bar' },
            encoding: {
              x: { field: 'mode', type: 'nominal', sort: MODE_ORDER, title: null },
              xOffset: { field: 'percentile', type: 'nominal', sort: ['p50', 'p99'] },
              y: { aggregate: 'median', field: 'ms', type: 'quantitative', title: 'latency (ms)' },
              color: modeColor,
              opacity: {
                field: 'percentile',
                type: 'nominal',
                scale: { domain: ['p50', 'p99'], range: [0.55, 1] },
              },
            },
          },
          '"mode: " + datum.mode + "; scenario: " + datum.scenario + "; percentile: " + datum.percentile + "; ms: " + datum.ms + "; repetition: " + datum.repetition',
        ),
      },
    } as TopLevelSpec,
  };
}

/** Every chart that has data for `result`, in report order. */
export function performanceCharts(result: PerformanceResult): ChartSpec[] {
  return [
    addedLatencySummaryChart,
    addedLatencyChart,
    latencyPercentilesChart,
    throughputChart,
    scenariosChart,
    resourcesChart,
    scalingChart,
  ]
    .map((build) => build(result))
    .filter((c): c is ChartSpec => c !== undefined);
}
