/**
 * @module reference-impl/control-plane/model/authorization
 * AuthorizationPolicy → workload-API `Authorization` for ztunnel, following Istio's ambient
 * translation (pilot ambient authorization.go): GLOBAL in the root namespace without selector,
 * NAMESPACE without selector, WORKLOAD_SELECTOR with one; ALLOW/DENY only (AUDIT and CUSTOM are
 * not ztunnel's); policies bound by targetRefs belong to waypoints, not ztunnel. L7 attributes
 * cannot be checked at L4: an ALLOW rule with any of them never matches (the rule is dropped), a
 * DENY rule ignores them and so denies the whole L4 match; both with a warning.
 */
import ipaddr from 'ipaddr.js';
import type {
  Authorization,
  AuthorizationAddress,
  Clause,
  Match,
  Rule,
  StringMatch,
} from '../../api/workload.ts';
import { emptyMatch } from '../../api/workload.ts';
import type { MeshObject } from '../config/objects.ts';
import type { MeshSettings } from './model-input.ts';

/** `when` keys ztunnel can evaluate. */
export const L4_WHEN_KEYS = new Set([
  'source.ip',
  'source.namespace',
  'source.principal',
  'destination.ip',
  'destination.port',
]);

/** Istio's string-to-matcher: `*` presence, `*x` suffix, `x*` prefix, else exact. */
export function toStringMatch(v: string): StringMatch {
  if (v === '*') return { presence: true };
  if (v.startsWith('*')) return { suffix: v.slice(1) };
  if (v.endsWith('*')) return { prefix: v.slice(0, -1) };
  return { exact: v };
}

/** `10.0.0.0/8` or `10.1.2.3` → address and prefix length. */
export function toAuthorizationAddress(v: string): AuthorizationAddress {
  if (v.includes('/')) {
    const [addr, len] = ipaddr.parseCIDR(v);
    return { address: addr.toString(), length: len };
  }
  const addr = ipaddr.parse(v);
  return { address: addr.toString(), length: addr.kind() === 'ipv4' ? 32 : 128 };
}

const nonEmpty = (...arrs: (unknown[] | undefined)[]) => arrs.some((a) => (a?.length ?? 0) > 0);
const ports = (v: string[] | undefined) => (v ?? []).map(Number);

interface PolicyRule {
  from?: { source?: Record<string, string[] | undefined> }[];
  to?: { operation?: Record<string, string[] | undefined> }[];
  when?: { key: string; values?: string[]; notValues?: string[] }[];
}

/** One policy rule → one `Rule`, or undefined when (ALLOW and L7) it can never match. */
export function translateRule(
  action: 'ALLOW' | 'DENY',
  rule: PolicyRule,
  warn: (m: string) => void,
): Rule | undefined {
  let l7 = false;
  const clauses: Clause[] = [];
  const to: Match[] = [];
  for (const t of rule.to ?? []) {
    const op = t.operation;
    if (!op) continue;
    if (nonEmpty(op.hosts, op.notHosts, op.methods, op.notMethods, op.paths, op.notPaths)) l7 = true;
    to.push({ ...emptyMatch(), destinationPorts: ports(op.ports), notDestinationPorts: ports(op.notPorts) });
  }
  const from: Match[] = [];
  for (const f of rule.from ?? []) {
    const s = f.source;
    if (!s) continue;
    if (nonEmpty(s.remoteIpBlocks, s.notRemoteIpBlocks, s.requestPrincipals, s.notRequestPrincipals))
      l7 = true;
    from.push({
      ...emptyMatch(),
      sourceIps: (s.ipBlocks ?? []).map(toAuthorizationAddress),
      notSourceIps: (s.notIpBlocks ?? []).map(toAuthorizationAddress),
      namespaces: (s.namespaces ?? []).map(toStringMatch),
      notNamespaces: (s.notNamespaces ?? []).map(toStringMatch),
      principals: (s.principals ?? []).map(toStringMatch),
      notPrincipals: (s.notPrincipals ?? []).map(toStringMatch),
    });
  }
  if (to.length) clauses.push({ matches: to });
  if (from.length) clauses.push({ matches: from });
  for (const w of rule.when ?? []) {
    if (!L4_WHEN_KEYS.has(w.key)) {
      l7 = true;
      continue;
    }
    const pick = <T>(key: string, values: string[] | undefined, f: (v: string) => T): T[] =>
      w.key === key ? (values ?? []).map(f) : [];
    const m: Match = {
      namespaces: pick('source.namespace', w.values, toStringMatch),
      principals: pick('source.principal', w.values, toStringMatch),
      sourceIps: pick('source.ip', w.values, toAuthorizationAddress),
      destinationPorts: pick('destination.port', w.values, Number),
      destinationIps: pick('destination.ip', w.values, toAuthorizationAddress),
      notNamespaces: pick('source.namespace', w.notValues, toStringMatch),
      notPrincipals: pick('source.principal', w.notValues, toStringMatch),
      notSourceIps: pick('source.ip', w.notValues, toAuthorizationAddress),
      notDestinationPorts: pick('destination.port', w.notValues, Number),
      notDestinationIps: pick('destination.ip', w.notValues, toAuthorizationAddress),
    };
    clauses.push({ matches: [m] });
  }
  if (l7) {
    if (action === 'ALLOW') {
      warn(
        'ALLOW rule uses L7 attributes that ztunnel cannot check: the rule never matches without a waypoint',
      );
      return undefined;
    }
    warn(
      'DENY rule uses L7 attributes that ztunnel cannot check: it denies the whole L4 match without a waypoint',
    );
  }
  return { clauses };
}

/** True when the policy is meant for ztunnel (not bound to a waypoint or service by targetRefs). */
export const isZtunnelPolicy = (p: MeshObject): boolean =>
  !p.spec?.targetRef && !(p.spec?.targetRefs?.length > 0);

/** One AuthorizationPolicy → `Authorization` (undefined when it is not ztunnel's), plus warnings. */
export function translateAuthorizationPolicy(
  p: MeshObject,
  settings: MeshSettings,
): { authorization?: Authorization; warnings: string[] } {
  const warnings: string[] = [];
  const spec = p.spec ?? {};
  const action = (spec.action ?? 'ALLOW') as string;
  if (!isZtunnelPolicy(p)) return { warnings };
  if (action !== 'ALLOW' && action !== 'DENY') return { warnings };
  const ns = p.metadata.namespace!;
  const hasSelector = Object.keys(spec.selector?.matchLabels ?? {}).length > 0;
  const scope: Authorization['scope'] = hasSelector
    ? 'WORKLOAD_SELECTOR'
    : ns === settings.rootNamespace
      ? 'GLOBAL'
      : 'NAMESPACE';
  const rules: Rule[] = [];
  for (const [i, r] of ((spec.rules ?? []) as PolicyRule[]).entries()) {
    const rule = translateRule(action, r, (m) =>
      warnings.push(`AuthorizationPolicy ${ns}/${p.metadata.name} rule ${i}: ${m}`),
    );
    if (rule) rules.push(rule);
  }
  return {
    authorization: {
      name: p.metadata.name,
      namespace: ns,
      scope,
      action,
      rules,
      dryRun: p.metadata.annotations?.['istio.io/dry-run'] === 'true',
    },
    warnings,
  };
}

/** True when WORKLOAD_SELECTOR policy `p` selects a pod of `ns` with `labels` (root-namespace ones select everywhere). */
export function policySelects(
  p: MeshObject,
  ns: string,
  labels: Record<string, string> | undefined,
  settings: MeshSettings,
): boolean {
  const sel = p.spec?.selector?.matchLabels as Record<string, string> | undefined;
  if (!sel || Object.keys(sel).length === 0) return false;
  if (p.metadata.namespace !== ns && p.metadata.namespace !== settings.rootNamespace) return false;
  for (const [k, v] of Object.entries(sel)) if (labels?.[k] !== v) return false;
  return true;
}
