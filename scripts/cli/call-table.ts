/**
 * @module scripts/cli/call-table
 * Renders call outcomes as a table (index, status or error, latency, echo Hostname, echo IP) and
 * summarises them. Pure: tested beside it.
 */
import type { CallOutcome } from '../../clusters/cluster.ts';
import { renderTable } from './table.ts';

/** `200`, or the error code when the call got no HTTP response. */
export function outcomeStatus(o: CallOutcome): string {
  if (o.error) return o.status ? `${o.status} ${o.error.code}` : o.error.code;
  return String(o.status);
}

/** The table of one call run. */
export function renderCallTable(outcomes: readonly CallOutcome[], color = false): string {
  return renderTable(
    ['#', 'status', 'latency ms', 'Hostname', 'IP'],
    outcomes.map((o) => [
      o.index,
      outcomeStatus(o),
      o.latencyMs.toFixed(2),
      o.fields.Hostname?.[0] ?? '',
      o.fields.IP?.[0] ?? '',
    ]),
    color,
  );
}

/** Counts and latency percentiles of a run. */
export interface CallSummary {
  total: number;
  ok: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  /** Distinct echo `Hostname`s that answered (which pods the calls reached). */
  hostnames: string[];
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Summarises outcomes. */
export function summarizeCalls(outcomes: readonly CallOutcome[]): CallSummary {
  const latencies = outcomes.map((o) => o.latencyMs).sort((a, b) => a - b);
  const ok = outcomes.filter((o) => o.ok).length;
  const hostnames = [...new Set(outcomes.flatMap((o) => (o.ok ? (o.fields.Hostname ?? []) : [])))].sort();
  return {
    total: outcomes.length,
    ok,
    failed: outcomes.length - ok,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    hostnames,
  };
}
