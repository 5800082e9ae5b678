/**
 * @module reference-impl/control-plane/config/validate-traffic
 * Semantic checks of the traffic fields ztunnel applies at L4, beyond the published schema (which
 * types them only as strings, integers and free objects): DestinationRule connect timeouts and
 * connection limits, VirtualService `tcp` route weights, EnvoyFilter local_ratelimit token buckets.
 * Each failure names the field and the fix; the caller turns it into a ValidationError, so the bad
 * object is rejected and the last good version stays in force.
 */
import type { MeshObject } from './objects.ts';

// biome-ignore lint/suspicious/noExplicitAny: manifest shapes are checked by the schema first
type Loose = any;

/** A field that is wrong, and why. */
export interface FieldError {
  field: string;
  reason: string;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Milliseconds of a duration string, or undefined when it is not one. */
function parseDuration(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = DURATION.exec(v.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : undefined;
}

function connectionPool(tp: Loose, at: string): FieldError | undefined {
  const tcp = tp?.connectionPool?.tcp;
  if (!tcp) return undefined;
  const base = `${at}.connectionPool.tcp`;
  if (tcp.connectTimeout !== undefined) {
    const ms = parseDuration(tcp.connectTimeout);
    if (ms === undefined || ms <= 0)
      return {
        field: `${base}.connectTimeout`,
        reason: `invalid duration ${JSON.stringify(tcp.connectTimeout)}: use a positive duration such as "200ms" or "1s"`,
      };
  }
  if (tcp.maxConnections !== undefined && !(Number.isInteger(tcp.maxConnections) && tcp.maxConnections >= 1))
    return {
      field: `${base}.maxConnections`,
      reason: `must be an integer of at least 1, not ${JSON.stringify(tcp.maxConnections)}`,
    };
  return undefined;
}

function destinationRule(spec: Loose): FieldError | undefined {
  const top = connectionPool(spec.trafficPolicy, 'spec.trafficPolicy');
  if (top) return top;
  for (const [i, p] of ((spec.trafficPolicy?.portLevelSettings ?? []) as Loose[]).entries()) {
    const e = connectionPool(p, `spec.trafficPolicy.portLevelSettings[${i}]`);
    if (e) return e;
  }
  for (const [i, s] of ((spec.subsets ?? []) as Loose[]).entries()) {
    const e = connectionPool(s?.trafficPolicy, `spec.subsets[${i}].trafficPolicy`);
    if (e) return e;
  }
  return undefined;
}

function tcpRoutes(spec: Loose): FieldError | undefined {
  for (const [i, t] of ((spec.tcp ?? []) as Loose[]).entries()) {
    const route = (t?.route ?? []) as Loose[];
    for (const [j, d] of route.entries()) {
      if (d?.weight !== undefined && !(Number.isInteger(d.weight) && d.weight >= 0))
        return {
          field: `spec.tcp[${i}].route[${j}].weight`,
          reason: `weight must be a non-negative integer, not ${JSON.stringify(d.weight)}`,
        };
    }
    const total = route.reduce((s: number, d: Loose) => s + (d?.weight ?? 0), 0);
    if (route.length > 1 && total !== 100)
      return { field: `spec.tcp[${i}].route`, reason: `weights add up to ${total}, not 100` };
  }
  return undefined;
}

function rateLimitFilters(spec: Loose): FieldError | undefined {
  for (const [i, p] of ((spec.configPatches ?? []) as Loose[]).entries()) {
    const value = p?.patch?.value;
    if (value?.name !== 'envoy.filters.network.local_ratelimit') continue;
    const cfgKey = value.typed_config ? 'typed_config' : 'typedConfig';
    const cfg = value[cfgKey] ?? {};
    const tbKey = cfg.token_bucket ? 'token_bucket' : 'tokenBucket';
    const tb = cfg[tbKey];
    const at = `spec.configPatches[${i}].patch.value.${cfgKey}.${tbKey}`;
    if (!tb || typeof tb !== 'object')
      return { field: at, reason: 'local_ratelimit needs a token_bucket (max_tokens, fill_interval)' };
    const max = tb.max_tokens ?? tb.maxTokens;
    if (!(Number.isInteger(max) && max >= 1))
      return {
        field: `${at}.max_tokens`,
        reason: `must be an integer of at least 1, not ${JSON.stringify(max)}`,
      };
    const perFill = tb.tokens_per_fill ?? tb.tokensPerFill;
    const fill = typeof perFill === 'object' && perFill ? perFill.value : perFill;
    if (fill !== undefined && !(Number.isInteger(fill) && fill >= 1))
      return {
        field: `${at}.tokens_per_fill`,
        reason: `must be an integer of at least 1, not ${JSON.stringify(fill)}`,
      };
    const interval = tb.fill_interval ?? tb.fillInterval;
    const ms = parseDuration(interval);
    if (ms === undefined || ms < 50)
      return {
        field: `${at}.fill_interval`,
        reason: `invalid fill interval ${JSON.stringify(interval)}: use a duration of at least 50ms, such as "60s"`,
      };
  }
  return undefined;
}

/** The first bad L4 traffic field of `o`, or undefined. */
export function trafficFieldError(o: MeshObject): FieldError | undefined {
  const spec = o.spec ?? {};
  if (o.kind === 'DestinationRule') return destinationRule(spec);
  if (o.kind === 'VirtualService') return tcpRoutes(spec);
  if (o.kind === 'EnvoyFilter') return rateLimitFilters(spec);
  return undefined;
}
