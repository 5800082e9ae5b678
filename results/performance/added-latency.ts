/**
 * @module results/performance/added-latency
 * Derives the "added latency over baseline" figures: for each mesh mode, connection count and
 * percentile, the difference to `baseline` of the same run and the same repetition (modes are
 * interleaved, so repetition i of every mode ran at about the same time), summarised across
 * repetitions as median with min/max and IQR.
 */

import { median, round, spread } from './stats.ts';
import type { AddedLatency, AddedLatencySummary, LatencyPoint, Mode, Percentile } from './types.ts';

const FIELD: Record<Percentile, 'p50Ms' | 'p90Ms' | 'p99Ms' | 'p999Ms'> = {
  p50: 'p50Ms',
  p90: 'p90Ms',
  p99: 'p99Ms',
  p999: 'p999Ms',
};

/** Points that carry samples (a point with none says nothing about latency). */
function withSamples(points: readonly LatencyPoint[]): LatencyPoint[] {
  return points.filter((p) => p.sampleCount > 0);
}

/**
 * Added latency of every non-baseline mode over baseline. Repetitions are paired by index; a
 * repetition missing on either side is left out. No baseline → no added latency.
 */
export function computeAddedLatency(
  points: readonly LatencyPoint[],
  percentiles: readonly Percentile[] = ['p50', 'p90', 'p99', 'p999'],
): AddedLatency[] {
  const usable = withSamples(points);
  const key = (p: LatencyPoint) => `${p.mode}/${p.connections}/${p.repetition}`;
  const byKey = new Map(usable.map((p) => [key(p), p]));
  const out: AddedLatency[] = [];
  const modes = [...new Set(usable.map((p) => p.mode))].filter(
    (m): m is Exclude<Mode, 'baseline'> => m !== 'baseline',
  );
  const connections = [...new Set(usable.map((p) => p.connections))].sort((a, b) => a - b);
  for (const mode of modes) {
    for (const c of connections) {
      const pairs = usable
        .filter((p) => p.mode === mode && p.connections === c)
        .map((p) => [p, byKey.get(`baseline/${c}/${p.repetition}`)] as const)
        .filter((pair): pair is readonly [LatencyPoint, LatencyPoint] => pair[1] !== undefined);
      if (pairs.length === 0) continue;
      for (const percentile of percentiles) {
        const f = FIELD[percentile];
        const s = spread(pairs.map(([m, b]) => m[f] - b[f]));
        out.push({
          mode,
          connections: c,
          percentile,
          repetitions: pairs.length,
          medianMs: round(s.median),
          minMs: round(s.min),
          maxMs: round(s.max),
          q1Ms: round(s.q1),
          q3Ms: round(s.q3),
        });
      }
    }
  }
  return out;
}

/** The seed row regenerated: per mode, the median over connection counts of the median added p90/p99. */
export function summariseAddedLatency(added: readonly AddedLatency[]): AddedLatencySummary[] {
  const modes = [...new Set(added.map((a) => a.mode))];
  return modes.flatMap((mode) => {
    const of = (p: Percentile) =>
      added.filter((a) => a.mode === mode && a.percentile === p).map((a) => a.medianMs);
    const p90 = of('p90');
    const p99 = of('p99');
    if (p90.length === 0 || p99.length === 0) return [];
    return [{ mode, p90AddedMs: round(median(p90)), p99AddedMs: round(median(p99)) }];
  });
}
