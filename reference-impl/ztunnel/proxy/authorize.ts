/**
 * @module reference-impl/ztunnel/proxy/authorize
 * L4 authorization (ztunnel rbac.rs) as a pure function. DENY policies first: any match denies.
 * Then, if any ALLOW policy applies, one must match. Dry-run policies are never enforced.
 * PeerAuthentication STRICT arrives as a converted DENY policy (`not_principals: presence`) that
 * matches connections without a peer identity, exactly as istiod emits it for ztunnel.
 */
import ipaddr from 'ipaddr.js';
import type { Authorization, AuthorizationAddress, Match, StringMatch } from '../../api/workload.ts';

/** What a policy can see of a connection at L4. */
export interface ConnectionFacts {
  /** Peer SPIFFE identity (`spiffe://td/ns/x/sa/y`); undefined for plaintext. */
  sourceIdentity?: string;
  sourceIp: string;
  destinationIp: string;
  destinationPort: number;
}

/** The outcome, with the deciding policy for logs. */
export type AuthorizationDecision =
  | { allowed: true; policy?: string }
  | { allowed: false; policy?: string; reason: 'deny-policy' | 'no-allow-match' };

function stringMatches(m: StringMatch, value: string): boolean {
  if ('exact' in m) return value === m.exact;
  if ('prefix' in m) return value.startsWith(m.prefix);
  if ('suffix' in m) return value.endsWith(m.suffix);
  return value.length > 0;
}

function ipMatches(a: AuthorizationAddress, ip: string): boolean {
  try {
    const addr = ipaddr.parse(ip);
    const net = ipaddr.parse(a.address);
    if (addr.kind() !== net.kind()) return false;
    return addr.match(net, a.length);
  } catch {
    return false;
  }
}

/** A positive field matches when empty or when the value matches any entry (absent value: no match). */
function positive<T>(
  entries: T[],
  value: string | number | undefined,
  test: (e: T, v: never) => boolean,
): boolean {
  if (entries.length === 0) return true;
  if (value === undefined) return false;
  return entries.some((e) => test(e, value as never));
}

/** A negative field fails only when the value is present and matches an entry. */
function negative<T>(
  entries: T[],
  value: string | number | undefined,
  test: (e: T, v: never) => boolean,
): boolean {
  if (entries.length === 0 || value === undefined) return true;
  return !entries.some((e) => test(e, value as never));
}

/** Whether one `Match` matches the connection: all of its non-empty fields must match. */
export function matchMatches(m: Match, c: ConnectionFacts): boolean {
  const principal = c.sourceIdentity?.replace(/^spiffe:\/\//, '');
  const namespace = principal ? /\/ns\/([^/]+)\//.exec(principal)?.[1] : undefined;
  const str = (e: StringMatch, v: string) => stringMatches(e, v);
  const ip = (e: AuthorizationAddress, v: string) => ipMatches(e, v);
  const port = (e: number, v: number) => e === v;
  return (
    positive(m.namespaces, namespace, str) &&
    negative(m.notNamespaces, namespace, str) &&
    positive(m.principals, principal, str) &&
    negative(m.notPrincipals, principal, str) &&
    positive(m.sourceIps, c.sourceIp, ip) &&
    negative(m.notSourceIps, c.sourceIp, ip) &&
    positive(m.destinationIps, c.destinationIp, ip) &&
    negative(m.notDestinationIps, c.destinationIp, ip) &&
    positive(m.destinationPorts, c.destinationPort, port) &&
    negative(m.notDestinationPorts, c.destinationPort, port)
  );
}

/** A policy matches when any rule matches; a rule when all clauses match; a clause when any match does. */
export function policyMatches(p: Authorization, c: ConnectionFacts): boolean {
  return p.rules.some((rule) =>
    rule.clauses.every((clause) => clause.matches.some((m) => matchMatches(m, c))),
  );
}

/** Decides a connection against the policies that apply to its destination workload. */
export function authorize(policies: Authorization[], c: ConnectionFacts): AuthorizationDecision {
  const enforced = policies.filter((p) => !p.dryRun);
  for (const p of enforced) {
    if (p.action === 'DENY' && policyMatches(p, c)) {
      return { allowed: false, policy: `${p.namespace}/${p.name}`, reason: 'deny-policy' };
    }
  }
  const allows = enforced.filter((p) => p.action === 'ALLOW');
  if (allows.length === 0) return { allowed: true };
  for (const p of allows) {
    if (policyMatches(p, c)) return { allowed: true, policy: `${p.namespace}/${p.name}` };
  }
  return { allowed: false, reason: 'no-allow-match' };
}
