/**
 * @module reference-impl/ztunnel/proxy/connection-limits
 * Protection of the outbound path. Per pod, ztunnel settings (0 = off): a circuit breaker on
 * concurrent connections (over the limit: refused with Envoy's `UO`, upstream overflow) and a
 * connection-rate limit (continuous refill; over it: `RL`). Per destination service, from the
 * control plane's L4 traffic policy (reference-impl/api/l4.ts): DestinationRule
 * `connectionPool.tcp.maxConnections` per source pod and service, and the EnvoyFilter local rate
 * limit as Envoy's token bucket (starts full, `tokensPerFill` every `fillIntervalMs`, capped at
 * `maxTokens`), one bucket per service on this ztunnel.
 */
import type { L4TokenBucket, L4TrafficPolicy } from '../../api/l4.ts';

/** A granted connection slot, or why not. */
export type Slot = { ok: true; release(): void } | { ok: false; reason: 'overflow' | 'rate-limited' };

/** Limits of one pod. */
export interface ConnectionLimits {
  /** `ok` with a release function, or why not. */
  acquire(): Slot;
  active(): number;
}

/** Limit settings; 0 disables each. */
export interface ConnectionLimitOptions {
  maxConnections: number;
  connectsPerSecond: number;
  burst: number;
}

const GRANTED_NOTHING: Slot = { ok: true, release() {} };

/** A slot counted in `counts[key]` until released (idempotent). */
function countedSlot(counts: Map<string, number>, key: string): Slot {
  counts.set(key, (counts.get(key) ?? 0) + 1);
  let released = false;
  return {
    ok: true,
    release() {
      if (released) return;
      released = true;
      const n = (counts.get(key) ?? 1) - 1;
      if (n > 0) counts.set(key, n);
      else counts.delete(key);
    },
  };
}

/** Creates the limits (clock injectable for tests). */
export function createConnectionLimits(
  o: ConnectionLimitOptions,
  now: () => number = Date.now,
): ConnectionLimits {
  const counts = new Map<string, number>();
  let tokens = o.burst || o.connectsPerSecond;
  let last = now();
  return {
    acquire() {
      if (o.maxConnections > 0 && (counts.get('') ?? 0) >= o.maxConnections)
        return { ok: false, reason: 'overflow' };
      if (o.connectsPerSecond > 0) {
        const t = now();
        tokens = Math.min(o.burst || o.connectsPerSecond, tokens + ((t - last) / 1000) * o.connectsPerSecond);
        last = t;
        if (tokens < 1) return { ok: false, reason: 'rate-limited' };
        tokens -= 1;
      }
      return countedSlot(counts, '');
    },
    active: () => counts.get('') ?? 0,
  };
}

/** Envoy's local rate limit bucket. */
export interface TokenBucket {
  /** Takes one token; false when none is left. */
  take(): boolean;
  tokens(): number;
}

/** A full bucket refilled by whole fills since it was created (clock injectable). */
export function createTokenBucket(b: L4TokenBucket, now: () => number = Date.now): TokenBucket {
  const start = now();
  let tokens = b.maxTokens;
  let fills = 0;
  const refill = () => {
    const due = Math.floor((now() - start) / b.fillIntervalMs);
    if (due > fills) {
      tokens = Math.min(b.maxTokens, tokens + (due - fills) * b.tokensPerFill);
      fills = due;
    }
  };
  return {
    take() {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    tokens() {
      refill();
      return tokens;
    },
  };
}

/** The per-service limits of every pod of this ztunnel. */
export interface ServiceLimits {
  /** A slot for a new connection from pod `podUid` toward service `policy.service`. */
  acquire(podUid: string, policy: L4TrafficPolicy): Slot;
  /** Live connections from `podUid` toward `serviceKey`. */
  active(podUid: string, serviceKey: string): number;
}

/** Creates the registry; a bucket is rebuilt when its policy's bucket settings change. */
export function createServiceLimits(now: () => number = Date.now): ServiceLimits {
  const counts = new Map<string, number>();
  const buckets = new Map<string, { settings: string; bucket: TokenBucket }>();
  const bucketFor = (service: string, b: L4TokenBucket): TokenBucket => {
    const settings = `${b.maxTokens}/${b.tokensPerFill}/${b.fillIntervalMs}`;
    let e = buckets.get(service);
    if (!e || e.settings !== settings) {
      e = { settings, bucket: createTokenBucket(b, now) };
      buckets.set(service, e);
    }
    return e.bucket;
  };
  return {
    acquire(podUid, policy) {
      const key = `${podUid}|${policy.service}`;
      if (policy.maxConnections && (counts.get(key) ?? 0) >= policy.maxConnections)
        return { ok: false, reason: 'overflow' };
      if (policy.connectionRateLimit && !bucketFor(policy.service, policy.connectionRateLimit).take())
        return { ok: false, reason: 'rate-limited' };
      if (!policy.maxConnections) return GRANTED_NOTHING;
      return countedSlot(counts, key);
    },
    active: (podUid, serviceKey) => counts.get(`${podUid}|${serviceKey}`) ?? 0,
  };
}
