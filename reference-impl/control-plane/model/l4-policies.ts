/**
 * @module reference-impl/control-plane/model/l4-policies
 * The per-service L4 traffic policy ztunnel applies (pure): DestinationRule `connectionPool.tcp`
 * (connectTimeout, maxConnections) of the service's host; VirtualService `tcp` routes with weights,
 * their DestinationRule subsets resolved to the workload uids whose pod labels match; EnvoyFilter
 * `envoy.filters.network.local_ratelimit` (token bucket) on the services whose endpoints the filter's
 * workloadSelector selects. When several DestinationRules or EnvoyFilters name the same service, the
 * oldest wins (Istio's merge order) and the others are reported as warnings.
 */
import type { L4Backend, L4Route, L4TokenBucket, L4TrafficPolicy } from '../../api/l4.ts';
import type { Service, Workload } from '../../api/workload.ts';
import type { MeshObject } from '../config/objects.ts';
import { byAge, durationMs, hostToServiceKey } from './l7-routes.ts';
import { type MeshSettings, type ModelInput, objectsOf, selects } from './model-input.ts';
import { podUid } from './workloads.ts';

// biome-ignore lint/suspicious/noExplicitAny: manifest shapes are checked by the schema at the edge
type Loose = any;

export const LOCAL_RATELIMIT_FILTER = 'envoy.filters.network.local_ratelimit';

/** The result: policies by service key, and what was ignored. */
export interface L4Translation {
  policies: Map<string, L4TrafficPolicy>;
  warnings: string[];
}

const describeObj = (o: MeshObject) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;

/** Envoy's `token_bucket` (snake or camel case, as proto JSON allows) → bucket; undefined if unusable. */
export function tokenBucket(tb: Loose): L4TokenBucket | undefined {
  if (!tb || typeof tb !== 'object') return undefined;
  const maxTokens = Number(tb.max_tokens ?? tb.maxTokens);
  const perFill = tb.tokens_per_fill ?? tb.tokensPerFill;
  const tokensPerFill = Number(typeof perFill === 'object' && perFill ? perFill.value : (perFill ?? 1));
  const fillIntervalMs = durationMs(tb.fill_interval ?? tb.fillInterval);
  if (!Number.isInteger(maxTokens) || maxTokens < 1) return undefined;
  if (!Number.isInteger(tokensPerFill) || tokensPerFill < 1) return undefined;
  if (fillIntervalMs === undefined || fillIntervalMs < 50) return undefined;
  return { maxTokens, tokensPerFill, fillIntervalMs };
}

/** The local_ratelimit token buckets an EnvoyFilter inserts (one per matching patch). */
export function envoyFilterRateLimits(ef: MeshObject): L4TokenBucket[] {
  const out: L4TokenBucket[] = [];
  for (const p of (ef.spec?.configPatches ?? []) as Loose[]) {
    const value = p?.patch?.value;
    if (p?.applyTo !== 'NETWORK_FILTER' || value?.name !== LOCAL_RATELIMIT_FILTER) continue;
    const context = p.match?.context ?? 'ANY';
    if (context !== 'ANY' && context !== 'SIDECAR_INBOUND') continue;
    const cfg = value.typed_config ?? value.typedConfig ?? {};
    const b = tokenBucket(cfg.token_bucket ?? cfg.tokenBucket);
    if (b) out.push(b);
  }
  return out;
}

/** Pod labels by `namespace/name`. */
function podLabels(input: ModelInput): Map<string, Record<string, string>> {
  return new Map(
    objectsOf(input, 'Pod').map((p) => [
      `${p.metadata.namespace}/${p.metadata.name}`,
      p.metadata.labels ?? {},
    ]),
  );
}

/** Workloads backing `serviceKey` whose pod labels carry every label of `selector`. */
function selectedEndpoints(
  workloads: Iterable<Workload>,
  serviceKey: string,
  selector: Record<string, string>,
  labels: Map<string, Record<string, string>>,
  settings: MeshSettings,
): string[] {
  const out: string[] = [];
  for (const w of workloads) {
    if (!w.services[serviceKey]) continue;
    if (w.uid !== podUid(settings.clusterId, w.namespace, w.name)) continue;
    if (selects(selector, labels.get(`${w.namespace}/${w.name}`))) out.push(w.uid);
  }
  return out.sort();
}

/** Builds every service's L4 policy. */
export function translateL4Policies(
  input: ModelInput,
  services: ReadonlyMap<string, Service>,
  workloads: ReadonlyMap<string, Workload>,
  settings: MeshSettings,
): L4Translation {
  const warnings: string[] = [];
  const policies = new Map<string, L4TrafficPolicy>();
  const policyOf = (key: string): L4TrafficPolicy => {
    let p = policies.get(key);
    if (!p) {
      p = { service: key, sources: [], routes: [] };
      policies.set(key, p);
    }
    return p;
  };
  // Built on first use: with no subsets or rate limits, a pod change costs no pass over all pods.
  let labelIndex: Map<string, Record<string, string>> | undefined;
  const labels = () => {
    labelIndex ??= podLabels(input);
    return labelIndex;
  };

  // DestinationRules: the oldest per host wins; its subsets are what routes may name.
  const ruleFor = new Map<string, MeshObject>();
  for (const dr of objectsOf(input, 'DestinationRule').sort(byAge)) {
    const key = hostToServiceKey(dr.spec?.host ?? '', dr.metadata.namespace!, settings);
    const first = ruleFor.get(key);
    if (first) {
      warnings.push(
        `${describeObj(dr)}: ${describeObj(first)} already configures ${key}; ignored for L4 settings`,
      );
      continue;
    }
    ruleFor.set(key, dr);
    const tcp = dr.spec?.trafficPolicy?.connectionPool?.tcp;
    if (!tcp || !services.has(key)) continue;
    const timeout = durationMs(tcp.connectTimeout);
    const max = Number(tcp.maxConnections);
    if (timeout === undefined && !(Number.isInteger(max) && max > 0)) continue;
    const p = policyOf(key);
    p.sources.push(describeObj(dr));
    if (timeout !== undefined && timeout > 0) p.connectTimeoutMs = timeout;
    if (Number.isInteger(max) && max > 0) p.maxConnections = max;
  }

  const subsetWorkloads = (vs: MeshObject, serviceKey: string, subset: string): string[] => {
    const dr = ruleFor.get(serviceKey);
    const s = ((dr?.spec?.subsets ?? []) as Loose[]).find((x) => x?.name === subset);
    if (!s) {
      warnings.push(
        `${describeObj(vs)}: subset "${subset}" of ${serviceKey} is not defined by any DestinationRule; connections to it are refused`,
      );
      return [];
    }
    return selectedEndpoints(workloads.values(), serviceKey, s.labels ?? {}, labels(), settings);
  };

  // VirtualService tcp routes: per host, the oldest VirtualService's routes first.
  for (const vs of objectsOf(input, 'VirtualService').sort(byAge)) {
    const tcp = (vs.spec?.tcp ?? []) as Loose[];
    if (tcp.length === 0) continue;
    const gateways = (vs.spec?.gateways ?? []) as string[];
    if (gateways.length > 0 && !gateways.includes('mesh')) continue;
    const ns = vs.metadata.namespace!;
    const routes: L4Route[] = tcp.map((t, i) => {
      const dests = (t.route ?? []) as Loose[];
      const backends = dests.map((d): L4Backend => {
        const service = hostToServiceKey(d.destination?.host ?? '', ns, settings);
        const b: L4Backend = { service, weight: d.weight ?? (dests.length === 1 ? 100 : 0) };
        if (d.destination?.port?.number) b.port = d.destination.port.number;
        if (d.destination?.subset) {
          b.subset = d.destination.subset;
          b.workloads = subsetWorkloads(vs, service, d.destination.subset);
        }
        return b;
      });
      const ports = ((t.match ?? []) as Loose[]).map((m) => Number(m?.port)).filter((n) => n > 0);
      return { name: `VirtualService/${ns}/${vs.metadata.name}#${t.name ?? i}`, ports, backends };
    });
    for (const host of (vs.spec?.hosts ?? []) as string[]) {
      const key = hostToServiceKey(host, ns, settings);
      if (!services.has(key)) continue;
      const p = policyOf(key);
      p.sources.push(describeObj(vs));
      p.routes.push(...routes);
    }
  }

  // EnvoyFilter local rate limits: on each service backed by a selected workload.
  const limited = new Map<string, MeshObject>();
  for (const ef of objectsOf(input, 'EnvoyFilter').sort(byAge)) {
    const buckets = envoyFilterRateLimits(ef);
    if (buckets.length === 0) continue;
    if (buckets.length > 1)
      warnings.push(`${describeObj(ef)}: several local_ratelimit patches; the first applies`);
    const ns = ef.metadata.namespace!;
    const selector = (ef.spec?.workloadSelector?.labels ?? {}) as Record<string, string>;
    // One pass over the workloads: the services of every selected pod.
    const keys = new Set<string>();
    for (const w of workloads.values()) {
      if (ns !== settings.rootNamespace && w.namespace !== ns) continue;
      if (w.uid !== podUid(settings.clusterId, w.namespace, w.name)) continue;
      if (!selects(selector, labels().get(`${w.namespace}/${w.name}`))) continue;
      for (const key of Object.keys(w.services)) keys.add(key);
    }
    for (const key of [...keys].sort()) {
      if (!services.has(key)) continue;
      const first = limited.get(key);
      if (first) {
        warnings.push(`${describeObj(ef)}: ${describeObj(first)} already rate-limits ${key}; ignored there`);
        continue;
      }
      limited.set(key, ef);
      const p = policyOf(key);
      p.sources.push(describeObj(ef));
      p.connectionRateLimit = buckets[0];
    }
  }
  return { policies, warnings };
}
