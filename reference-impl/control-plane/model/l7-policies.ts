/**
 * @module reference-impl/control-plane/model/l7-policies
 * The per-service L7 policies for waypoints and sidecars: DestinationRule → `L7TrafficPolicy`;
 * RequestAuthentication and AuthorizationPolicy (full L7 rules) → `L7Security`; Telemetry →
 * `L7Telemetry`. A policy applies to a service when it targets it (targetRefs Service, or Gateway =
 * the service's waypoint), when its selector selects the service's pods, or namespace-wide (root
 * namespace: mesh-wide) when it has neither.
 */

import type { L4TokenBucket } from '../../api/l4.ts';
import type {
  L7AuthorizationPolicy,
  L7AuthorizationRule,
  L7JwtRule,
  L7PolicySettings,
  L7Security,
  L7Telemetry,
  L7TrafficPolicy,
} from '../../api/l7.ts';
import type { Service } from '../../api/workload.ts';
import type { MeshObject } from '../config/objects.ts';
import { tokenBucket } from './l4-policies.ts';
import { byAge, durationMs, hostToServiceKey } from './l7-routes.ts';
import { type MeshSettings, type ModelInput, objectsOf, selects } from './model-input.ts';
import { serviceSelectsPod } from './services.ts';

// biome-ignore lint/suspicious/noExplicitAny: manifest shapes are checked by the schema at the edge
type Loose = any;

function policySettings(tp: Loose): L7PolicySettings {
  if (!tp) return {};
  const out: L7PolicySettings = {};
  if (tp.connectionPool) {
    const t = tp.connectionPool.tcp;
    const h = tp.connectionPool.http;
    out.connectionPool = {
      tcp: t
        ? { maxConnections: t.maxConnections, connectTimeoutMs: durationMs(t.connectTimeout) }
        : undefined,
      http: h
        ? {
            http1MaxPendingRequests: h.http1MaxPendingRequests,
            http2MaxRequests: h.http2MaxRequests,
            maxRequestsPerConnection: h.maxRequestsPerConnection,
            maxRetries: h.maxRetries,
            idleTimeoutMs: durationMs(h.idleTimeout),
          }
        : undefined,
    };
  }
  const od = tp.outlierDetection;
  if (od) {
    out.outlierDetection = {
      consecutive5xxErrors: od.consecutive5xxErrors,
      consecutiveGatewayErrors: od.consecutiveGatewayErrors,
      intervalMs: durationMs(od.interval),
      baseEjectionTimeMs: durationMs(od.baseEjectionTime),
      maxEjectionPercent: od.maxEjectionPercent,
    };
  }
  const lb = tp.loadBalancer;
  if (lb) {
    out.loadBalancer = lb.simple
      ? { simple: lb.simple }
      : {
          consistentHash: {
            header: lb.consistentHash?.httpHeaderName,
            cookie: lb.consistentHash?.httpCookie?.name,
            sourceIp: lb.consistentHash?.useSourceIp,
            queryParameter: lb.consistentHash?.httpQueryParameterName,
          },
        };
  }
  if (tp.tls) out.tls = { mode: tp.tls.mode ?? 'DISABLE', sni: tp.tls.sni };
  return out;
}

/** One DestinationRule → `L7TrafficPolicy` for its host. */
export function translateDestinationRule(dr: MeshObject, settings: MeshSettings): L7TrafficPolicy {
  const ns = dr.metadata.namespace!;
  const spec = dr.spec ?? {};
  return {
    service: hostToServiceKey(spec.host, ns, settings),
    source: `${ns}/${dr.metadata.name}`,
    ...policySettings(spec.trafficPolicy),
    subsets: ((spec.subsets ?? []) as Loose[]).map((s) => ({
      name: s.name,
      labels: s.labels ?? {},
      ...(s.trafficPolicy ? { policy: policySettings(s.trafficPolicy) } : {}),
    })),
    portPolicies: ((spec.trafficPolicy?.portLevelSettings ?? []) as Loose[]).map((p) => ({
      port: p.port?.number,
      policy: policySettings(p),
    })),
  };
}

/** Does policy-like object `p` (selector / targetRefs / namespace-wide) apply to `svc`? */
export function appliesToService(
  p: MeshObject,
  svc: Service,
  svcObj: MeshObject | undefined,
  pods: MeshObject[],
  settings: MeshSettings,
): boolean {
  const spec = p.spec ?? {};
  const refs: Loose[] = spec.targetRefs ?? (spec.targetRef ? [spec.targetRef] : []);
  const pns = p.metadata.namespace!;
  if (refs.length) {
    return refs.some((r) => {
      const ns = r.namespace ?? pns;
      if (r.kind === 'Service') return ns === svc.namespace && r.name === svc.name;
      if (r.kind === 'Gateway' && svc.waypoint && 'hostname' in svc.waypoint.destination) {
        const h = svc.waypoint.destination.hostname;
        return h.namespace === ns && h.hostname.startsWith(`${r.name}.`);
      }
      if (r.kind === 'ServiceEntry') return ns === svc.namespace && r.name === svc.name;
      return false;
    });
  }
  if (pns !== svc.namespace && pns !== settings.rootNamespace) return false;
  const sel = spec.selector?.matchLabels as Record<string, string> | undefined;
  if (!sel || Object.keys(sel).length === 0) return true;
  if (!svcObj) return false;
  return pods.some((pod) => serviceSelectsPod(svcObj, pod) && selects(sel, pod.metadata.labels));
}

function jwtRules(ra: MeshObject): L7JwtRule[] {
  return ((ra.spec?.jwtRules ?? []) as Loose[]).map((r) => ({
    issuer: r.issuer,
    audiences: r.audiences ?? [],
    jwksUri: r.jwksUri,
    jwks: r.jwks,
    fromHeaders: ((r.fromHeaders ?? [{ name: 'authorization', prefix: 'Bearer ' }]) as Loose[]).map((h) => ({
      name: String(h.name).toLowerCase(),
      prefix: h.prefix,
    })),
    fromParams: r.fromParams ?? (r.fromHeaders ? [] : ['access_token']),
    forwardOriginalToken: r.forwardOriginalToken ?? false,
    outputPayloadToHeader: r.outputPayloadToHeader,
  }));
}

type L7Source = L7AuthorizationRule['from'][number];
type L7Operation = L7AuthorizationRule['to'][number];

const SOURCE_FIELDS = [
  'principals',
  'notPrincipals',
  'requestPrincipals',
  'notRequestPrincipals',
  'namespaces',
  'notNamespaces',
  'ipBlocks',
  'notIpBlocks',
  'remoteIpBlocks',
  'notRemoteIpBlocks',
] as const satisfies readonly (keyof L7Source)[];
const OPERATION_FIELDS = [
  'hosts',
  'notHosts',
  'ports',
  'notPorts',
  'methods',
  'notMethods',
  'paths',
  'notPaths',
] as const satisfies readonly (keyof L7Operation)[];

const list = (v: unknown) => (Array.isArray(v) ? (v as string[]) : []);

/** `fields` of `o`, each a string list (absent or not an array = empty). */
const lists = <K extends string>(o: Loose, fields: readonly K[]): Record<K, string[]> =>
  Object.fromEntries(fields.map((f) => [f, list(o?.[f])])) as Record<K, string[]>;

function l7Authorization(p: MeshObject): L7AuthorizationPolicy {
  return {
    name: `${p.metadata.namespace}/${p.metadata.name}`,
    action: p.spec?.action ?? 'ALLOW',
    dryRun: p.metadata.annotations?.['istio.io/dry-run'] === 'true',
    rules: ((p.spec?.rules ?? []) as Loose[]).map((r) => ({
      from: ((r.from ?? []) as Loose[]).map((f): L7Source => lists(f.source, SOURCE_FIELDS)),
      to: ((r.to ?? []) as Loose[]).map((t): L7Operation => lists(t.operation, OPERATION_FIELDS)),
      when: ((r.when ?? []) as Loose[]).map((w) => ({
        key: w.key,
        values: list(w.values),
        notValues: list(w.notValues),
      })),
    })),
  };
}

export const HTTP_LOCAL_RATELIMIT_FILTER = 'envoy.filters.http.local_ratelimit';

/** A fraction given as Envoy's `RuntimeFractionalPercent` (absent = 100%). */
function fraction(rf: Loose): number {
  const v = rf?.default_value ?? rf?.defaultValue;
  if (!v) return 1;
  const den = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 }[
    String(v.denominator ?? 'HUNDRED') as 'HUNDRED'
  ];
  return Number(v.numerator ?? 0) / (den ?? 100);
}

/**
 * The HTTP local rate limits an EnvoyFilter inserts, each with the object `appliesToService` reads
 * its scope from: `targetRefs` (a waypoint Gateway; context GATEWAY or ANY) or `workloadSelector`
 * (sidecars; context SIDECAR_INBOUND or ANY; none = the whole namespace). A patch whose
 * `filter_enabled` or `filter_enforced` is 0% limits nothing; other fractions are taken as 100%.
 */
export function envoyFilterHttpRateLimits(ef: MeshObject): { bucket: L4TokenBucket; scope: MeshObject }[] {
  const spec = ef.spec ?? {};
  const refs: Loose[] = spec.targetRefs ?? (spec.targetRef ? [spec.targetRef] : []);
  const out: { bucket: L4TokenBucket; scope: MeshObject }[] = [];
  for (const p of (spec.configPatches ?? []) as Loose[]) {
    const value = p?.patch?.value;
    if (p?.applyTo !== 'HTTP_FILTER' || value?.name !== HTTP_LOCAL_RATELIMIT_FILTER) continue;
    const context = p.match?.context ?? 'ANY';
    if (context !== 'ANY' && context !== (refs.length ? 'GATEWAY' : 'SIDECAR_INBOUND')) continue;
    const cfg = value.typed_config ?? value.typedConfig ?? {};
    const bucket = tokenBucket(cfg.token_bucket ?? cfg.tokenBucket);
    if (!bucket) continue;
    if (fraction(cfg.filter_enabled ?? cfg.filterEnabled) <= 0) continue;
    if (fraction(cfg.filter_enforced ?? cfg.filterEnforced) <= 0) continue;
    const labels = spec.workloadSelector?.labels as Record<string, string> | undefined;
    const scope: MeshObject = {
      ...ef,
      spec: refs.length ? { targetRefs: refs } : labels ? { selector: { matchLabels: labels } } : {},
    };
    out.push({ bucket, scope });
  }
  return out;
}

/** Per service: traffic policy (with the HTTP local rate limit), security and telemetry. */
export function translateServicePolicies(
  input: ModelInput,
  services: Map<string, Service>,
  settings: MeshSettings,
): {
  trafficPolicies: Map<string, L7TrafficPolicy>;
  security: Map<string, L7Security>;
  telemetry: Map<string, L7Telemetry>;
} {
  const trafficPolicies = new Map<string, L7TrafficPolicy>();
  for (const dr of objectsOf(input, 'DestinationRule')) {
    const tp = translateDestinationRule(dr, settings);
    if (!trafficPolicies.has(tp.service)) trafficPolicies.set(tp.service, tp);
  }
  const httpLimits = objectsOf(input, 'EnvoyFilter')
    .sort(byAge)
    .flatMap((ef) => envoyFilterHttpRateLimits(ef).map((l) => ({ ef, ...l })));
  const svcObjs = new Map(
    objectsOf(input, 'Service').map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]),
  );
  const podsByNs = new Map<string, MeshObject[]>();
  for (const p of objectsOf(input, 'Pod')) {
    const l = podsByNs.get(p.metadata.namespace!) ?? [];
    l.push(p);
    podsByNs.set(p.metadata.namespace!, l);
  }
  const ras = objectsOf(input, 'RequestAuthentication');
  const aps = objectsOf(input, 'AuthorizationPolicy');
  const tels = objectsOf(input, 'Telemetry').sort(
    (a, b) =>
      Number(b.metadata.namespace === settings.rootNamespace) -
      Number(a.metadata.namespace === settings.rootNamespace),
  );
  const security = new Map<string, L7Security>();
  const telemetry = new Map<string, L7Telemetry>();
  for (const [key, svc] of services) {
    const svcObj = svcObjs.get(`${svc.namespace}/${svc.name}`);
    const pods = podsByNs.get(svc.namespace) ?? [];
    const applies = (p: MeshObject) => appliesToService(p, svc, svcObj, pods, settings);
    const myRas = ras.filter(applies);
    const myAps = aps.filter(applies);
    if (myRas.length || myAps.length) {
      security.set(key, {
        service: key,
        jwtRules: myRas.flatMap(jwtRules),
        requestAuthentications: myRas.map((r) => `${r.metadata.namespace}/${r.metadata.name}`),
        authorizationPolicies: myAps.map(l7Authorization),
      });
    }
    const limit = httpLimits.find((l) => appliesToService(l.scope, svc, svcObj, pods, settings));
    if (limit) {
      const tp = trafficPolicies.get(key) ?? {
        service: key,
        source: `${limit.ef.metadata.namespace}/${limit.ef.metadata.name}`,
        subsets: [],
      };
      tp.localRateLimit = {
        ...limit.bucket,
        source: `${limit.ef.metadata.namespace}/${limit.ef.metadata.name}`,
      };
      trafficPolicies.set(key, tp);
    }
    const myTels = tels.filter(applies);
    if (myTels.length) {
      const t: L7Telemetry = {
        service: key,
        sources: myTels.map((x) => `${x.metadata.namespace}/${x.metadata.name}`),
      };
      for (const x of myTels) {
        const tr = x.spec?.tracing?.[0];
        if (tr) {
          t.tracing = {
            randomSamplingPercentage: tr.randomSamplingPercentage,
            disableSpanReporting: tr.disableSpanReporting,
            providers: (tr.providers ?? []).map((p: Loose) => p.name),
          };
        }
        const al = x.spec?.accessLogging?.[0];
        if (al)
          t.accessLogging = {
            disabled: al.disabled ?? false,
            providers: (al.providers ?? []).map((p: Loose) => p.name),
            filter: al.filter?.expression,
          };
        const m = x.spec?.metrics?.[0];
        if (m) {
          const tagOverrides: Record<string, string | null> = {};
          for (const o of m.overrides ?? []) {
            for (const [tag, op] of Object.entries(o.tagOverrides ?? {}) as [string, Loose][]) {
              tagOverrides[tag] = op.operation === 'REMOVE' ? null : (op.value ?? null);
            }
          }
          t.metrics = {
            disabled: (m.overrides ?? []).some((o: Loose) => o.disabled),
            providers: (m.providers ?? []).map((p: Loose) => p.name),
            tagOverrides,
          };
        }
      }
      telemetry.set(key, t);
    }
  }
  return { trafficPolicies, security, telemetry };
}
