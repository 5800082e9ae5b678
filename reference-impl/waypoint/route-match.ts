/**
 * @module reference-impl/waypoint/route-match
 * Route selection (pure): the first route with a matching match wins (a route without matches
 * matches everything); within a match every present part must hold (path, method, headers, query
 * parameters, port, gRPC service/method). String matches follow Istio / Gateway API semantics.
 */
import type { L7Route, L7RouteMatch, L7StringMatch } from '../api/l7.ts';
import { type L7Request, splitPath } from './l7-request.ts';

const regexCache = new Map<string, RegExp | null>();
function fullRegex(source: string): RegExp | null {
  let r = regexCache.get(source);
  if (r === undefined) {
    try {
      r = new RegExp(`^(?:${source})$`);
    } catch {
      r = null;
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(source, r);
  }
  return r;
}

/** Does `value` (undefined = absent) satisfy `m`? */
export function stringMatches(m: L7StringMatch, value: string | undefined): boolean {
  if ('presence' in m) return value !== undefined;
  if (value === undefined) return false;
  if ('exact' in m) return value === m.exact;
  if ('prefix' in m) return value.startsWith(m.prefix);
  if ('suffix' in m) return value.endsWith(m.suffix);
  if ('regex' in m) return fullRegex(m.regex)?.test(value) ?? false;
  return false;
}

/** Does one match hold for `req`? */
export function requestMatches(match: L7RouteMatch, req: L7Request): boolean {
  const { pathname, query } = splitPath(req.path);
  if (match.path && !stringMatches(match.path, pathname)) return false;
  if (match.method && match.method.toUpperCase() !== req.method.toUpperCase()) return false;
  if (match.port !== undefined && match.port !== req.port) return false;
  for (const [name, m] of Object.entries(match.headers ?? {}))
    if (!stringMatches(m, req.headers[name.toLowerCase()])) return false;
  for (const [name, m] of Object.entries(match.queryParams ?? {}))
    if (!stringMatches(m, query[name])) return false;
  if (match.grpc) {
    const [, service, method] = /^\/([^/]+)\/([^/]+)$/.exec(pathname) ?? [];
    if (match.grpc.service && match.grpc.service !== service) return false;
    if (match.grpc.method && match.grpc.method !== method) return false;
  }
  return true;
}

/** The first route matching `req`, with the match that selected it (undefined for a catch-all). */
export function selectRoute(
  routes: readonly L7Route[],
  req: L7Request,
): { route: L7Route; match?: L7RouteMatch } | undefined {
  for (const route of routes) {
    if (route.matches.length === 0) return { route };
    const match = route.matches.find((m) => requestMatches(m, req));
    if (match) return { route, match };
  }
  return undefined;
}

/** Picks a backend by weight (`rand` in [0, 1)); zero total weight picks the first. */
export function pickWeighted<T extends { weight: number }>(items: readonly T[], rand: number): T | undefined {
  const total = items.reduce((n, b) => n + Math.max(0, b.weight), 0);
  if (total <= 0) return items[0];
  let x = rand * total;
  for (const b of items) {
    x -= Math.max(0, b.weight);
    if (x < 0) return b;
  }
  return items[items.length - 1];
}
