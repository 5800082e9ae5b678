/**
 * @module reference-impl/waypoint/retry-policy
 * Whether a failed attempt is retried (pure), with Envoy's `retry_on` conditions: `5xx`,
 * `gateway-error` (502/503/504), `connect-failure`, `refused-stream`, `reset`, `retriable-4xx` (409),
 * `retriable-status-codes` (the numeric entries of the list), and gRPC `unavailable`, `cancelled`,
 * `deadline-exceeded`, `resource-exhausted`, `internal` (by `grpc-status`).
 */
import type { L7Retry } from '../api/l7.ts';

/** What one attempt produced. */
export type AttemptOutcome =
  | { kind: 'response'; status: number; grpcStatus?: number }
  | { kind: 'connect-failure' }
  | { kind: 'reset' }
  | { kind: 'timeout' };

const GRPC: Record<string, number> = {
  cancelled: 1,
  'deadline-exceeded': 4,
  'resource-exhausted': 8,
  internal: 13,
  unavailable: 14,
};

/** True when `outcome` of attempt number `attempt` (1-based, first try = 1) is retried under `retry`. */
export function shouldRetry(retry: L7Retry | undefined, attempt: number, outcome: AttemptOutcome): boolean {
  if (!retry || attempt > retry.attempts) return false;
  const on = new Set(retry.retryOn.map((s) => s.trim()).filter(Boolean));
  const codes = new Set([...on].filter((s) => /^\d{3}$/.test(s)).map(Number));
  switch (outcome.kind) {
    case 'connect-failure':
      return on.has('connect-failure') || on.has('5xx') || on.has('gateway-error') || on.has('reset');
    case 'reset':
      return on.has('reset') || on.has('5xx') || on.has('refused-stream');
    case 'timeout':
      return on.has('5xx') || on.has('gateway-error');
    case 'response': {
      const s = outcome.status;
      if (on.has('5xx') && s >= 500) return true;
      if (on.has('gateway-error') && (s === 502 || s === 503 || s === 504)) return true;
      if (on.has('retriable-4xx') && s === 409) return true;
      if ((on.has('retriable-status-codes') || codes.size > 0) && codes.has(s)) return true;
      if (outcome.grpcStatus !== undefined)
        for (const [name, code] of Object.entries(GRPC))
          if (on.has(name) && outcome.grpcStatus === code) return true;
      return false;
    }
  }
}

/** Envoy's default backoff before retry `attempt` (25 ms base, doubling, full jitter, 250 ms cap). */
export function retryBackoffMs(attempt: number, rand: number): number {
  const cap = Math.min(250, 25 * 2 ** Math.max(0, attempt - 1));
  return Math.floor(rand * cap);
}
