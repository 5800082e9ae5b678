/**
 * @module reference-impl/waypoint/request-rate-limit
 * Envoy's HTTP local rate limit (`envoy.filters.http.local_ratelimit`, set by an EnvoyFilter and
 * served in `L7TrafficPolicy.localRateLimit`): one token bucket per service in this proxy, shared by
 * all its connections; a request that finds the bucket empty is answered 429 `local_rate_limited`
 * (response flag `RL`). A changed bucket configuration starts a fresh, full bucket.
 */
import type { L7LocalRateLimit } from '../api/l7.ts';
import { createTokenBucket, type TokenBucket } from '../ztunnel/proxy/connection-limits.ts';

/** The buckets of one proxy. */
export interface RequestRateLimiter {
  /** Takes a token for a request to `serviceKey`; false = rate limited. No limit = always true. */
  admit(serviceKey: string, limit: L7LocalRateLimit | undefined): boolean;
}

export function createRequestRateLimiter(now: () => number = Date.now): RequestRateLimiter {
  const buckets = new Map<string, { config: string; bucket: TokenBucket }>();
  return {
    admit(serviceKey, limit) {
      if (!limit) return true;
      const config = `${limit.maxTokens}/${limit.tokensPerFill}/${limit.fillIntervalMs}/${limit.source}`;
      let b = buckets.get(serviceKey);
      if (!b || b.config !== config) {
        b = { config, bucket: createTokenBucket(limit, now) };
        buckets.set(serviceKey, b);
      }
      return b.bucket.take();
    },
  };
}
