/**
 * @module results/performance/compare
 * Differences between two runs: the added-latency summary row per mode, the median (across
 * repetitions) p90/p99 per mode and connection count, and the medians of the other suites
 * (throughput per mode and test, proxy cost per mode and component, scenario p99 per mode).
 * `delta = B − A`; for latency and cost a positive delta is worse, for rates it is better.
 */
import { median, round } from './stats.ts';
import type { Mode, PerformanceResult } from './types.ts';

export interface SummaryDelta {
  mode: Exclude<Mode, 'baseline'>;
  p90AddedMsA: number | null;
  p90AddedMsB: number | null;
  p99AddedMsA: number | null;
  p99AddedMsB: number | null;
  p90DeltaMs: number | null;
  p99DeltaMs: number | null;
}

export interface PointDelta {
  mode: Mode;
  connections: number;
  p90MsA: number | null;
  p90MsB: number | null;
  p99MsA: number | null;
  p99MsB: number | null;
  p90DeltaMs: number | null;
  p99DeltaMs: number | null;
}

/** One figure of one suite in both runs (median over repetitions or pods). */
export interface MetricDelta {
  suite: 'throughput' | 'resources' | 'scenarios';
  /** What was measured, e.g. `ambient tcp-rr` or `ambient ztunnel`. */
  subject: string;
  /** The figure and its unit, e.g. `calls/s`, `vCPU per 1000 rps`. */
  metric: string;
  a: number | null;
  b: number | null;
  delta: number | null;
  /** b / a, when both exist and a ≠ 0. */
  ratio: number | null;
}

export interface RunComparison {
  runA: string;
  runB: string;
  summary: SummaryDelta[];
  points: PointDelta[];
  metrics: MetricDelta[];
}

const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : round(b - a));

function medianOf(
  r: PerformanceResult,
  mode: Mode,
  connections: number,
  field: 'p90Ms' | 'p99Ms',
): number | null {
  const v = r.latency
    .filter((p) => p.mode === mode && p.connections === connections && p.sampleCount > 0)
    .map((p) => p[field]);
  return v.length ? round(median(v)) : null;
}

/** Compares run `b` against run `a`. Modes or points present in only one run get `null` on the other side. */
export function compareRuns(a: PerformanceResult, b: PerformanceResult): RunComparison {
  const modes = [...new Set([...a.summary, ...b.summary].map((s) => s.mode))];
  const summary = modes.map((mode) => {
    const sa = a.summary.find((s) => s.mode === mode);
    const sb = b.summary.find((s) => s.mode === mode);
    const r: SummaryDelta = {
      mode,
      p90AddedMsA: sa?.p90AddedMs ?? null,
      p90AddedMsB: sb?.p90AddedMs ?? null,
      p99AddedMsA: sa?.p99AddedMs ?? null,
      p99AddedMsB: sb?.p99AddedMs ?? null,
      p90DeltaMs: null,
      p99DeltaMs: null,
    };
    r.p90DeltaMs = diff(r.p90AddedMsA, r.p90AddedMsB);
    r.p99DeltaMs = diff(r.p99AddedMsA, r.p99AddedMsB);
    return r;
  });
  const keys = new Map<string, { mode: Mode; connections: number }>();
  for (const p of [...a.latency, ...b.latency])
    keys.set(`${p.mode}/${p.connections}`, { mode: p.mode, connections: p.connections });
  const points = [...keys.values()]
    .sort((x, y) => x.mode.localeCompare(y.mode) || x.connections - y.connections)
    .map(({ mode, connections }) => {
      const p90MsA = medianOf(a, mode, connections, 'p90Ms');
      const p90MsB = medianOf(b, mode, connections, 'p90Ms');
      const p99MsA = medianOf(a, mode, connections, 'p99Ms');
      const p99MsB = medianOf(b, mode, connections, 'p99Ms');
      return {
        mode,
        connections,
        p90MsA,
        p90MsB,
        p99MsA,
        p99MsB,
        p90DeltaMs: diff(p90MsA, p90MsB),
        p99DeltaMs: diff(p99MsA, p99MsB),
      };
    });
  return { runA: a.runId, runB: b.runId, summary, points, metrics: suiteMetrics(a, b) };
}

type Figure = { suite: MetricDelta['suite']; subject: string; metric: string; value: number };

/** Every suite figure of a run other than latency, one value per repetition or pod. */
function figures(r: PerformanceResult): Figure[] {
  const out: Figure[] = [];
  for (const t of r.throughput) {
    const subject = `${t.mode} ${t.test}`;
    out.push({ suite: 'throughput', subject, metric: 'calls/s', value: t.ratePerSecond });
    if (t.test === 'tcp-bulk')
      out.push({ suite: 'throughput', subject, metric: 'MB/s', value: t.bytesPerSecond / 1e6 });
  }
  for (const u of r.resources) {
    const subject = `${u.mode} ${u.component}`;
    out.push({ suite: 'resources', subject, metric: 'vCPU per 1000 rps', value: u.cpuCoresPer1000Rps });
    out.push({ suite: 'resources', subject, metric: 'peak MiB', value: u.peakMemoryMiB });
  }
  for (const p of r.scenarios ?? []) {
    if (p.sampleCount > 0)
      out.push({ suite: 'scenarios', subject: `${p.mode} ${p.scenario}`, metric: 'p99 ms', value: p.p99Ms });
  }
  return out;
}

function suiteMetrics(a: PerformanceResult, b: PerformanceResult): MetricDelta[] {
  const fa = figures(a);
  const fb = figures(b);
  const key = (f: Omit<Figure, 'value'>) => `${f.suite}\u0000${f.subject}\u0000${f.metric}`;
  const subjects = new Map<string, Omit<Figure, 'value'>>();
  for (const f of [...fa, ...fb])
    subjects.set(key(f), { suite: f.suite, subject: f.subject, metric: f.metric });
  const med = (list: Figure[], k: string) => {
    const v = list.filter((f) => key(f) === k).map((f) => f.value);
    return v.length ? round(median(v)) : null;
  };
  return [...subjects.entries()].map(([k, s]) => {
    const va = med(fa, k);
    const vb = med(fb, k);
    return {
      ...s,
      a: va,
      b: vb,
      delta: diff(va, vb),
      ratio: va !== null && vb !== null && va !== 0 ? round(vb / va) : null,
    };
  });
}
