/**
 * @module results/performance/compare
 * Differences between two runs: the added-latency summary row per mode, and the median (across
 * repetitions) p90/p99 per mode and connection count. `delta = B − A`; a positive delta is slower.
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

export interface RunComparison {
  runA: string;
  runB: string;
  summary: SummaryDelta[];
  points: PointDelta[];
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
  return { runA: a.runId, runB: b.runId, summary, points };
}
