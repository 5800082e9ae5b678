/**
 * @module reference-impl/waypoint/authz
 * L7 authorization (pure), Istio's semantics: CUSTOM is not implemented (ignored, with a reason),
 * a matching DENY policy denies, then if any ALLOW policy exists one must match, AUDIT never decides,
 * dry-run policies are evaluated but never enforced. A rule matches when one `from`, one `to` and
 * every `when` hold; empty lists mean "any". Values use Istio's wildcard forms (`*`, `pre*`, `*suf`).
 */
import ipaddr from 'ipaddr.js';
import type { L7AuthorizationPolicy, L7AuthorizationRule } from '../api/l7.ts';
import { type L7Request, splitPath } from './l7-request.ts';

/** The outcome for one request. */
export interface AuthzDecision {
  allowed: boolean;
  /** `namespace/name` of the deciding policy (the DENY that matched, or the ALLOW), when any. */
  policy?: string;
  reason: 'no-policy' | 'allow-matched' | 'deny-matched' | 'no-allow-matched';
}

/** Istio's string wildcard match: exact, `*` (any non-empty), `prefix*`, `*suffix`. */
export function wildcardMatch(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (pattern === '*') return value !== '';
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return value === pattern;
}

const anyOf = (patterns: string[], value: string | undefined) =>
  patterns.some((p) => wildcardMatch(p, value));

function inCidrs(cidrs: string[], ip: string | undefined): boolean {
  if (!ip || !ipaddr.isValid(ip)) return false;
  const addr = ipaddr.process(ip);
  return cidrs.some((c) => {
    try {
      const [net, bits] = c.includes('/')
        ? ipaddr.parseCIDR(c)
        : [ipaddr.process(c), addr.kind() === 'ipv4' ? 32 : 128];
      return addr.kind() === net.kind() && addr.match(net, bits);
    } catch {
      return false;
    }
  });
}

/** `list` is empty (any) or holds a match; `not` must not hold one. */
const field = (list: string[], not: string[], value: string | undefined) =>
  (list.length === 0 || anyOf(list, value)) && !(not.length > 0 && anyOf(not, value));
const cidrField = (list: string[], not: string[], ip: string | undefined) =>
  (list.length === 0 || inCidrs(list, ip)) && !(not.length > 0 && inCidrs(not, ip));

/** The values a `when` key names for `req` (several for list claims); undefined when absent. */
export function conditionValues(key: string, req: L7Request): string[] | undefined {
  const claim = /^request\.auth\.claims\[([^\]]+)\](?:\[([^\]]+)\])?$/.exec(key);
  if (claim) {
    let v: unknown = req.endUser?.claims[claim[1]!];
    if (claim[2] !== undefined) v = (v as Record<string, unknown> | undefined)?.[claim[2]];
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v)) return v.map(String);
    // Istio splits a space-separated `scope` string claim into values.
    if (typeof v === 'string' && claim[1] === 'scope') return v.split(' ');
    return [String(v)];
  }
  const header = /^request\.headers\[([^\]]+)\]$/.exec(key);
  if (header) {
    const v = req.headers[header[1]!.toLowerCase()];
    return v === undefined ? undefined : [v];
  }
  switch (key) {
    case 'request.auth.principal':
      return req.endUser ? [req.endUser.principal] : undefined;
    case 'request.auth.audiences': {
      const aud = req.endUser?.claims.aud;
      return aud === undefined ? undefined : Array.isArray(aud) ? aud.map(String) : [String(aud)];
    }
    case 'request.auth.presenter': {
      const azp = req.endUser?.claims.azp;
      return azp === undefined ? undefined : [String(azp)];
    }
    case 'source.ip':
    case 'remote.ip':
      return req.source.ip ? [req.source.ip] : undefined;
    case 'source.namespace':
      return req.source.namespace ? [req.source.namespace] : undefined;
    case 'source.principal':
      return req.source.principal ? [req.source.principal] : undefined;
    case 'destination.port':
      return [String(req.port)];
    default:
      return undefined;
  }
}

function whenHolds(w: L7AuthorizationRule['when'][number], req: L7Request): boolean {
  const values = conditionValues(w.key, req);
  const isIp = w.key === 'source.ip' || w.key === 'remote.ip';
  const hit = (patterns: string[]): boolean =>
    !!values?.some((v) => (isIp ? inCidrs(patterns, v) : patterns.some((p) => wildcardMatch(p, v))));
  if (w.values.length > 0 && !hit(w.values)) return false;
  if (w.notValues.length > 0 && hit(w.notValues)) return false;
  return true;
}

/** Does one rule match `req`? */
export function ruleMatches(rule: L7AuthorizationRule, req: L7Request): boolean {
  const requestPrincipal = req.endUser?.principal;
  const fromOk =
    rule.from.length === 0 ||
    rule.from.some(
      (f) =>
        field(f.principals, f.notPrincipals, req.source.principal) &&
        field(f.requestPrincipals, f.notRequestPrincipals, requestPrincipal) &&
        field(f.namespaces, f.notNamespaces, req.source.namespace) &&
        cidrField(f.ipBlocks, f.notIpBlocks, req.source.ip) &&
        cidrField(f.remoteIpBlocks, f.notRemoteIpBlocks, req.source.ip),
    );
  if (!fromOk) return false;
  const { pathname } = splitPath(req.path);
  const host = req.authority.replace(/:\d+$/, '');
  const toOk =
    rule.to.length === 0 ||
    rule.to.some(
      (t) =>
        (t.hosts.length === 0 || anyOf(t.hosts, host) || anyOf(t.hosts, req.authority)) &&
        !(t.notHosts.length > 0 && (anyOf(t.notHosts, host) || anyOf(t.notHosts, req.authority))) &&
        field(t.ports, t.notPorts, String(req.port)) &&
        field(t.methods, t.notMethods, req.method.toUpperCase()) &&
        field(t.paths, t.notPaths, pathname),
    );
  if (!toOk) return false;
  return rule.when.every((w) => whenHolds(w, req));
}

const policyMatches = (p: L7AuthorizationPolicy, req: L7Request) => p.rules.some((r) => ruleMatches(r, req));

/** Evaluates the L7 policies of the destination for `req`. */
export function authorizeRequest(policies: readonly L7AuthorizationPolicy[], req: L7Request): AuthzDecision {
  const enforced = policies.filter((p) => !p.dryRun);
  for (const p of enforced) {
    if (p.action === 'DENY' && policyMatches(p, req))
      return { allowed: false, policy: p.name, reason: 'deny-matched' };
  }
  const allows = enforced.filter((p) => p.action === 'ALLOW');
  if (allows.length === 0) return { allowed: true, reason: 'no-policy' };
  const hit = allows.find((p) => policyMatches(p, req));
  return hit
    ? { allowed: true, policy: hit.name, reason: 'allow-matched' }
    : { allowed: false, reason: 'no-allow-matched' };
}
