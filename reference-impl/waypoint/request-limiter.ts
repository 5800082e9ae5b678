/**
 * @module reference-impl/waypoint/request-limiter
 * DestinationRule `connectionPool` as Envoy's circuit breakers, per destination service: at most
 * `maxActive` requests upstream at once (HTTP/1: `tcp.maxConnections`, one request per connection;
 * any protocol: `http.http2MaxRequests`), at most `http1MaxPendingRequests` waiting; anything beyond
 * overflows at once (the proxy answers 503 with response flag `UO`).
 */
import type { L7ConnectionPool } from '../api/l7.ts';

/** Limits derived from a connection pool (Infinity = no limit). */
export interface RequestLimits {
  maxActive: number;
  maxPending: number;
}

/** Envoy's circuit-breaker thresholds for `pool` and the downstream protocol. */
export function requestLimits(pool: L7ConnectionPool | undefined, http2: boolean): RequestLimits {
  const maxRequests = pool?.http?.http2MaxRequests ?? Number.POSITIVE_INFINITY;
  const maxConnections = pool?.tcp?.maxConnections ?? Number.POSITIVE_INFINITY;
  return {
    maxActive: http2 ? maxRequests : Math.min(maxRequests, maxConnections),
    maxPending: pool?.http?.http1MaxPendingRequests ?? Number.POSITIVE_INFINITY,
  };
}

/** Per-key admission: `acquire` resolves with a release function, or returns `overflow`. */
export function createRequestLimiter() {
  const state = new Map<string, { active: number; queue: (() => void)[] }>();
  return {
    acquire(key: string, limits: RequestLimits): Promise<() => void> | 'overflow' {
      let s = state.get(key);
      if (!s) {
        s = { active: 0, queue: [] };
        state.set(key, s);
      }
      const entry = s;
      const release = () => {
        entry.active -= 1;
        const next = entry.queue.shift();
        if (next) next();
        else if (entry.active === 0) state.delete(key);
      };
      const once = () => {
        let done = false;
        return () => {
          if (!done) {
            done = true;
            release();
          }
        };
      };
      if (entry.active < limits.maxActive) {
        entry.active += 1;
        return Promise.resolve(once());
      }
      if (entry.queue.length >= limits.maxPending) return 'overflow';
      return new Promise((resolve) =>
        entry.queue.push(() => {
          entry.active += 1;
          resolve(once());
        }),
      );
    },
    /** Active requests for `key` (tests, admin). */
    active: (key: string) => state.get(key)?.active ?? 0,
  };
}
