/**
 * @module reference-impl/control-plane/model/l7-routes
 * Route tables for waypoints and sidecars: VirtualService `http` routes and Gateway API mesh routes
 * (HTTPRoute / GRPCRoute whose parentRef is a Service, GAMMA) → `L7RouteTable` per service. When a
 * service has Gateway API routes they win over VirtualServices (Istio's waypoint behaviour).
 */
import type {
  L7Backend,
  L7HeaderModifier,
  L7Route,
  L7RouteMatch,
  L7RouteTable,
  L7StringMatch,
} from '../../api/l7.ts';
import type { MeshObject } from '../config/objects.ts';
import { type MeshSettings, type ModelInput, objectsOf } from './model-input.ts';

// biome-ignore lint/suspicious/noExplicitAny: manifest shapes are checked by the schema at the edge
type Loose = any;

/** `1.5s`, `100ms`, `2m`, `1h` → milliseconds; undefined for anything else. */
export function durationMs(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h']);
}

/** A host as a VirtualService or a backendRef names it → service key `ns/fqdn`. */
export function hostToServiceKey(host: string, ns: string, settings: MeshSettings): string {
  const suffix = `.svc.${settings.domainSuffix}`;
  if (host.endsWith(suffix)) {
    const parts = host.slice(0, -suffix.length).split('.');
    return `${parts[1] ?? ns}/${host}`;
  }
  if (!host.includes('.')) return `${ns}/${host}.${ns}${suffix}`;
  const parts = host.split('.');
  if (parts.length === 2) return `${parts[1]}/${host}${suffix}`;
  return `${ns}/${host}`;
}

function istioStringMatch(m: Record<string, string> | undefined): L7StringMatch | undefined {
  if (!m) return undefined;
  if (m.exact !== undefined) return { exact: m.exact };
  if (m.prefix !== undefined) return { prefix: m.prefix };
  if (m.regex !== undefined) return { regex: m.regex };
  return { presence: true };
}

function istioHeaders(
  h: { set?: Record<string, string>; add?: Record<string, string>; remove?: string[] } | undefined,
): L7HeaderModifier | undefined {
  if (!h) return undefined;
  return { set: h.set, add: h.add, remove: h.remove };
}

const percent = (p: { value?: number } | undefined, fallback = 100) => p?.value ?? fallback;

/** One VirtualService → routes per service key. */
export function virtualServiceRoutes(vs: MeshObject, settings: MeshSettings): Map<string, L7Route[]> {
  const ns = vs.metadata.namespace!;
  const routes: L7Route[] = [];
  for (const [i, h] of ((vs.spec?.http ?? []) as Loose[]).entries()) {
    const matches: L7RouteMatch[] = ((h.match ?? []) as Loose[]).map((m) => {
      const out: L7RouteMatch = {};
      const path = istioStringMatch(m.uri);
      if (path) out.path = path;
      if (m.method?.exact) out.method = m.method.exact;
      if (m.port) out.port = m.port;
      if (m.headers) {
        out.headers = Object.fromEntries(
          Object.entries(m.headers).map(([k, v]) => [
            k.toLowerCase(),
            istioStringMatch(v as Record<string, string>)!,
          ]),
        );
      }
      if (m.queryParams) {
        out.queryParams = Object.fromEntries(
          Object.entries(m.queryParams).map(([k, v]) => [k, istioStringMatch(v as Record<string, string>)!]),
        );
      }
      return out;
    });
    const backends: L7Backend[] = ((h.route ?? []) as Loose[]).map((d) => {
      const b: L7Backend = {
        service: hostToServiceKey(d.destination.host, ns, settings),
        weight: d.weight ?? (h.route.length === 1 ? 100 : 0),
      };
      if (d.destination.port?.number) b.port = d.destination.port.number;
      if (d.destination.subset) b.subset = d.destination.subset;
      if (d.headers?.request) b.requestHeaders = istioHeaders(d.headers.request);
      if (d.headers?.response) b.responseHeaders = istioHeaders(d.headers.response);
      return b;
    });
    const r: L7Route = { name: `VirtualService/${ns}/${vs.metadata.name}#${h.name ?? i}`, matches, backends };
    if (h.headers?.request) r.requestHeaders = istioHeaders(h.headers.request);
    if (h.headers?.response) r.responseHeaders = istioHeaders(h.headers.response);
    if (h.rewrite) r.rewrite = { host: h.rewrite.authority, prefix: h.rewrite.uri };
    if (h.redirect) {
      r.redirect = {
        host: h.redirect.authority,
        path: h.redirect.uri,
        scheme: h.redirect.scheme,
        port: h.redirect.port,
        statusCode: h.redirect.redirectCode ?? 301,
      };
    }
    if (h.directResponse)
      r.directResponse = { status: h.directResponse.status, body: h.directResponse.body?.string };
    const timeout = durationMs(h.timeout);
    if (timeout !== undefined) r.timeoutMs = timeout;
    if (h.retries) {
      r.retries = {
        attempts: h.retries.attempts ?? 0,
        perTryTimeoutMs: durationMs(h.retries.perTryTimeout),
        retryOn: (h.retries.retryOn ?? 'connect-failure,refused-stream,unavailable,cancelled,503').split(','),
      };
    }
    if (h.fault) {
      r.fault = {};
      if (h.fault.delay) {
        r.fault.delay = {
          fixedDelayMs: durationMs(h.fault.delay.fixedDelay) ?? 0,
          percentage: percent(h.fault.delay.percentage),
        };
      }
      if (h.fault.abort) {
        r.fault.abort = {
          httpStatus: h.fault.abort.httpStatus,
          grpcStatus: h.fault.abort.grpcStatus ? Number(h.fault.abort.grpcStatus) || undefined : undefined,
          percentage: percent(h.fault.abort.percentage),
        };
      }
    }
    if (h.mirror) {
      r.mirrors = [
        {
          service: hostToServiceKey(h.mirror.host, ns, settings),
          port: h.mirror.port?.number,
          percentage: percent(h.mirrorPercentage),
        },
      ];
    }
    if (h.mirrors) {
      r.mirrors = (h.mirrors as Loose[]).map((m) => ({
        service: hostToServiceKey(m.destination.host, ns, settings),
        port: m.destination.port?.number,
        percentage: percent(m.percentage),
      }));
    }
    routes.push(r);
  }
  const out = new Map<string, L7Route[]>();
  for (const host of (vs.spec?.hosts ?? []) as string[])
    out.set(hostToServiceKey(host, ns, settings), routes);
  return out;
}

function gatewayMatch(path: Record<string, string> | undefined): L7StringMatch | undefined {
  if (!path) return undefined;
  const value = path.value ?? '/';
  if (path.type === 'Exact') return { exact: value };
  if (path.type === 'RegularExpression') return { regex: value };
  return { prefix: value };
}

function gatewayHeaderModifier(f: Loose | undefined): L7HeaderModifier | undefined {
  if (!f) return undefined;
  const toMap = (l: { name: string; value: string }[] | undefined) =>
    l ? Object.fromEntries(l.map((x) => [x.name.toLowerCase(), x.value])) : undefined;
  return { set: toMap(f.set), add: toMap(f.add), remove: f.remove };
}

function gatewayBackend(b: Loose, ns: string, settings: MeshSettings): L7Backend {
  const out: L7Backend = {
    service: hostToServiceKey(`${b.name}.${b.namespace ?? ns}`, ns, settings),
    weight: b.weight ?? 1,
  };
  if (b.port) out.port = b.port;
  for (const f of b.filters ?? []) {
    if (f.type === 'RequestHeaderModifier')
      out.requestHeaders = gatewayHeaderModifier(f.requestHeaderModifier);
    if (f.type === 'ResponseHeaderModifier')
      out.responseHeaders = gatewayHeaderModifier(f.responseHeaderModifier);
  }
  return out;
}

/** One HTTPRoute or GRPCRoute → routes per parent Service key (only Service parents: mesh routes). */
export function gatewayRouteRoutes(route: MeshObject, settings: MeshSettings): Map<string, L7Route[]> {
  const ns = route.metadata.namespace!;
  const grpc = route.kind === 'GRPCRoute';
  const routes: L7Route[] = [];
  for (const [i, rule] of ((route.spec?.rules ?? []) as Loose[]).entries()) {
    const matches: L7RouteMatch[] = ((rule.matches ?? []) as Loose[]).map((m) => {
      const out: L7RouteMatch = {};
      if (grpc) {
        if (m.method) out.grpc = { service: m.method.service, method: m.method.method };
      } else {
        const p = gatewayMatch(m.path);
        if (p) out.path = p;
        if (m.method) out.method = m.method;
        if (m.queryParams) {
          out.queryParams = Object.fromEntries(
            (m.queryParams as Record<string, string>[]).map((q) => [
              q.name!,
              q.type === 'RegularExpression' ? { regex: q.value! } : { exact: q.value! },
            ]),
          );
        }
      }
      if (m.headers) {
        out.headers = Object.fromEntries(
          (m.headers as Record<string, string>[]).map((h) => [
            h.name!.toLowerCase(),
            h.type === 'RegularExpression' ? { regex: h.value! } : { exact: h.value! },
          ]),
        );
      }
      return out;
    });
    const r: L7Route = {
      name: `${route.kind}/${ns}/${route.metadata.name}#${rule.name ?? i}`,
      matches,
      backends: ((rule.backendRefs ?? []) as Loose[]).map((b) => gatewayBackend(b, ns, settings)),
    };
    for (const f of (rule.filters ?? []) as Loose[]) {
      if (f.type === 'RequestHeaderModifier')
        r.requestHeaders = gatewayHeaderModifier(f.requestHeaderModifier);
      if (f.type === 'ResponseHeaderModifier')
        r.responseHeaders = gatewayHeaderModifier(f.responseHeaderModifier);
      if (f.type === 'URLRewrite') {
        const p = f.urlRewrite?.path;
        r.rewrite = {
          host: f.urlRewrite?.hostname,
          path: p?.type === 'ReplaceFullPath' ? p.replaceFullPath : undefined,
          prefix: p?.type === 'ReplacePrefixMatch' ? p.replacePrefixMatch : undefined,
        };
      }
      if (f.type === 'RequestRedirect') {
        const rr = f.requestRedirect ?? {};
        r.redirect = {
          scheme: rr.scheme,
          host: rr.hostname,
          port: rr.port,
          path: rr.path?.type === 'ReplaceFullPath' ? rr.path.replaceFullPath : undefined,
          prefix: rr.path?.type === 'ReplacePrefixMatch' ? rr.path.replacePrefixMatch : undefined,
          statusCode: rr.statusCode ?? 302,
        };
      }
      if (f.type === 'RequestMirror') {
        const b = f.requestMirror?.backendRef ?? {};
        r.mirrors = [
          ...(r.mirrors ?? []),
          {
            service: gatewayBackend(b, ns, settings).service,
            port: b.port,
            percentage: f.requestMirror?.percent ?? 100,
          },
        ];
      }
    }
    const timeout = durationMs(rule.timeouts?.request);
    if (timeout !== undefined) r.timeoutMs = timeout;
    if (rule.retry) {
      r.retries = {
        attempts: rule.retry.attempts ?? 1,
        retryOn: (rule.retry.codes as number[] | undefined)?.length
          ? ['retriable-status-codes', ...rule.retry.codes.map(String)]
          : ['5xx'],
      };
    }
    routes.push(r);
  }
  const out = new Map<string, L7Route[]>();
  for (const p of (route.spec?.parentRefs ?? []) as Loose[]) {
    if (p.kind !== 'Service') continue;
    const key = hostToServiceKey(`${p.name}.${p.namespace ?? ns}`, ns, settings);
    out.set(key, [...(out.get(key) ?? []), ...routes]);
  }
  return out;
}

/** Every route table of the input, by service key. */
export function translateRouteTables(input: ModelInput, settings: MeshSettings): Map<string, L7RouteTable> {
  const gw = new Map<string, { routes: L7Route[]; kinds: Set<string> }>();
  for (const r of [...objectsOf(input, 'HTTPRoute'), ...objectsOf(input, 'GRPCRoute')].sort(byAge)) {
    for (const [key, routes] of gatewayRouteRoutes(r, settings)) {
      const e = gw.get(key) ?? { routes: [], kinds: new Set() };
      e.routes.push(...routes);
      e.kinds.add(r.kind);
      gw.set(key, e);
    }
  }
  const out = new Map<string, L7RouteTable>();
  for (const [service, e] of gw) {
    out.set(service, {
      service,
      source: e.kinds.size > 1 ? 'mixed' : (([...e.kinds][0] ?? 'HTTPRoute') as 'HTTPRoute' | 'GRPCRoute'),
      routes: e.routes,
    });
  }
  for (const vs of objectsOf(input, 'VirtualService').sort(byAge)) {
    for (const [service, routes] of virtualServiceRoutes(vs, settings)) {
      const cur = out.get(service);
      if (cur && cur.source !== 'VirtualService') continue;
      out.set(service, { service, source: 'VirtualService', routes: [...(cur?.routes ?? []), ...routes] });
    }
  }
  return out;
}

/** Oldest first, then by name: the order Istio merges and resolves conflicts in. */
export function byAge(a: MeshObject, b: MeshObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return `${a.metadata.namespace}/${a.metadata.name}` < `${b.metadata.namespace}/${b.metadata.name}` ? -1 : 1;
}
