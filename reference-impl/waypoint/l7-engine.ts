/**
 * @module reference-impl/waypoint/l7-engine
 * The L7 decision for one request (pure; shared by the waypoint and the sidecar): given the request,
 * the destination service key and the L7 resources, answer with a local response (authorization
 * deny, fault abort, redirect, direct response) or a forward plan (backend picked by weight, path and
 * authority rewrites, request/response header edits, timeout, retries, fault delay, mirrors).
 * JWT validation happens before (see `jwt.ts`), filling `request.endUser`.
 */
import type {
  L7Backend,
  L7HeaderModifier,
  L7Resources,
  L7Retry,
  L7Route,
  L7RouteMatch,
  L7RouteTable,
  L7Security,
  L7Telemetry,
  L7TrafficPolicy,
} from '../api/l7.ts';
import { type AuthzDecision, authorizeRequest } from './authz.ts';
import { applyHeaderModifiers, redirectLocation, rewritePath } from './header-ops.ts';
import type { L7Request } from './l7-request.ts';
import { pickWeighted, selectRoute } from './route-match.ts';

/** The L7 resources of one destination service. */
export interface ServiceL7 {
  routeTable?: L7RouteTable;
  trafficPolicy?: L7TrafficPolicy;
  security?: L7Security;
  telemetry?: L7Telemetry;
}

/** The resources for service key `namespace/hostname`. */
export function serviceL7(resources: L7Resources, serviceKey: string): ServiceL7 {
  return {
    routeTable: resources.routeTables.get(serviceKey),
    trafficPolicy: resources.trafficPolicies.get(serviceKey),
    security: resources.security.get(serviceKey),
    telemetry: resources.telemetry.get(serviceKey),
  };
}

/** A response the proxy makes itself. */
export interface LocalResponse {
  kind: 'respond';
  status: number;
  body: string;
  headers: Record<string, string>;
  /** Envoy response flag for logs/metrics: `UAEX`-like reasons. */
  reason: 'authz-denied' | 'fault-abort' | 'redirect' | 'direct-response' | 'no-route';
  route?: L7Route;
  authz?: AuthzDecision;
  /** Fault delay to apply before answering. */
  delayMs?: number;
  /** gRPC status for a gRPC abort (sent as a trailers-only response). */
  grpcStatus?: number;
}

/** Where and how to send the request upstream. */
export interface ForwardPlan {
  kind: 'forward';
  route?: L7Route;
  match?: L7RouteMatch;
  /** The chosen backend (the destination service itself when no route table applies). */
  backend: L7Backend;
  /** `:path` after rewrites. */
  path: string;
  /** `:authority` / Host after rewrites. */
  authority: string;
  /** Request headers after the route's and backend's modifiers. */
  headers: Record<string, string>;
  responseHeaders: L7HeaderModifier[];
  timeoutMs?: number;
  retries?: L7Retry;
  delayMs?: number;
  mirrors: { service: string; port?: number }[];
  authz?: AuthzDecision;
}

export type L7Decision = LocalResponse | ForwardPlan;

const percentHit = (percentage: number, rand: () => number) => percentage >= 100 || rand() * 100 < percentage;

/**
 * Decides what to do with `req` bound for `serviceKey`. `rand` returns [0, 1) (injected for tests).
 */
export function decide(
  req: L7Request,
  serviceKey: string,
  l7: ServiceL7,
  rand: () => number = Math.random,
): L7Decision {
  const authz = authorizeRequest(l7.security?.authorizationPolicies ?? [], req);
  if (!authz.allowed) {
    return {
      kind: 'respond',
      status: 403,
      body: 'RBAC: access denied',
      headers: { 'content-type': 'text/plain' },
      reason: 'authz-denied',
      authz,
    };
  }
  const routes = l7.routeTable?.routes ?? [];
  const selected = routes.length > 0 ? selectRoute(routes, req) : undefined;
  if (routes.length > 0 && !selected) {
    return { kind: 'respond', status: 404, body: 'no route', headers: {}, reason: 'no-route', authz };
  }
  const route = selected?.route;
  const match = selected?.match;
  let delayMs: number | undefined;
  if (route?.fault?.delay && percentHit(route.fault.delay.percentage, rand))
    delayMs = route.fault.delay.fixedDelayMs;
  if (route?.fault?.abort && percentHit(route.fault.abort.percentage, rand)) {
    const a = route.fault.abort;
    return {
      kind: 'respond',
      status: a.httpStatus ?? 200,
      body: 'fault filter abort',
      headers: { 'content-type': 'text/plain' },
      reason: 'fault-abort',
      route,
      authz,
      ...(delayMs !== undefined ? { delayMs } : {}),
      ...(a.grpcStatus !== undefined ? { grpcStatus: a.grpcStatus } : {}),
    };
  }
  if (route?.redirect) {
    const location = redirectLocation(
      route.redirect,
      { scheme: 'http', authority: req.authority, path: req.path },
      match,
    );
    return {
      kind: 'respond',
      status: route.redirect.statusCode,
      body: '',
      headers: { location },
      reason: 'redirect',
      route,
      authz,
    };
  }
  if (route?.directResponse) {
    return {
      kind: 'respond',
      status: route.directResponse.status,
      body: route.directResponse.body ?? '',
      headers: {},
      reason: 'direct-response',
      route,
      authz,
    };
  }
  const backend: L7Backend = (route && pickWeighted(route.backends, rand())) ?? {
    service: serviceKey,
    port: req.port,
    weight: 1,
  };
  const headers = applyHeaderModifiers(req.headers, route?.requestHeaders, backend.requestHeaders);
  const authority = route?.rewrite?.host ?? req.authority;
  return {
    kind: 'forward',
    route,
    match,
    backend,
    path: rewritePath(req.path, route?.rewrite, match),
    authority,
    headers,
    responseHeaders: [backend.responseHeaders, route?.responseHeaders].filter(
      (m): m is L7HeaderModifier => m !== undefined,
    ),
    timeoutMs: route?.timeoutMs,
    retries: route?.retries,
    delayMs,
    mirrors: (route?.mirrors ?? []).filter((m) => percentHit(m.percentage, rand)),
    authz,
  };
}
