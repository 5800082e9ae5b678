/**
 * @module reference-impl/ztunnel/proxy/connection-limits
 * Per-pod protection of the outbound path: a circuit breaker on concurrent connections (over the
 * limit: refused with Envoy's `UO`, upstream overflow) and a local rate limit on connection
 * establishment (token bucket; over it: refused with `RL`). Both are ztunnel settings (0 = off), not
 * DestinationRule fields, which Istio applies only in waypoints.
 */

/** Limits of one pod. */
export interface ConnectionLimits {
  /** `ok` with a release function, or why not. */
  acquire(): { ok: true; release(): void } | { ok: false; reason: 'overflow' | 'rate-limited' };
  active(): number;
}

/** Limit settings; 0 disables each. */
export interface ConnectionLimitOptions {
  maxConnections: number;
  connectsPerSecond: number;
  burst: number;
}

/** Creates the limits (clock injectable for tests). */
export function createConnectionLimits(
  o: ConnectionLimitOptions,
  now: () => number = Date.now,
): ConnectionLimits {
  let active = 0;
  let tokens = o.burst || o.connectsPerSecond;
  let last = now();
  return {
    acquire() {
      if (o.maxConnections > 0 && active >= o.maxConnections) return { ok: false, reason: 'overflow' };
      if (o.connectsPerSecond > 0) {
        const t = now();
        tokens = Math.min(o.burst || o.connectsPerSecond, tokens + ((t - last) / 1000) * o.connectsPerSecond);
        last = t;
        if (tokens < 1) return { ok: false, reason: 'rate-limited' };
        tokens -= 1;
      }
      active += 1;
      let released = false;
      return {
        ok: true,
        release() {
          if (!released) {
            released = true;
            active -= 1;
          }
        },
      };
    },
    active: () => active,
  };
}
