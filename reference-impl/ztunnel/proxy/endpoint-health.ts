/**
 * @module reference-impl/ztunnel/proxy/endpoint-health
 * Outlier detection on connect failure: an endpoint that failed `consecutiveFailures` connects in a
 * row is ejected for `ejectionMs`, and load balancing skips it while another endpoint is available.
 */

/** Health of upstream endpoints, keyed by `ip:port`. */
export interface EndpointHealth {
  success(endpoint: string): void;
  failure(endpoint: string): void;
  isEjected(endpoint: string): boolean;
  ejected(): string[];
}

/** Creates the tracker. */
export function createEndpointHealth(
  options: { consecutiveFailures?: number; ejectionMs?: number } = {},
): EndpointHealth {
  const threshold = options.consecutiveFailures ?? 1;
  const ejectionMs = options.ejectionMs ?? 30_000;
  const failures = new Map<string, number>();
  const until = new Map<string, number>();
  return {
    success(e) {
      failures.delete(e);
      until.delete(e);
    },
    failure(e) {
      const n = (failures.get(e) ?? 0) + 1;
      failures.set(e, n);
      if (n >= threshold) until.set(e, Date.now() + ejectionMs);
    },
    isEjected(e) {
      const t = until.get(e);
      if (t === undefined) return false;
      if (t > Date.now()) return true;
      until.delete(e);
      failures.delete(e);
      return false;
    },
    ejected: () => [...until.keys()].filter((e) => (until.get(e) ?? 0) > Date.now()),
  };
}
