/**
 * @module reference-impl/control-plane/wire/authorization-codec
 * `istio.security.Authorization` ⇄ the in-memory `Authorization` (Rule = wire Group, Clause = wire
 * Rules), with ztunnel's field numbers.
 */
import type { Authorization, AuthorizationAddress, Match, StringMatch } from '../../api/workload.ts';
import { bytesToIp, ipToBytes } from './ip-bytes.ts';
import { DECODE_OPTIONS, messageType } from './proto-root.ts';

type Obj = Record<string, unknown>;

const smToWire = (m: StringMatch): Obj => ('presence' in m ? { presence: {} } : m);
function smFromWire(o: Obj): StringMatch {
  if (o.exact != null) return { exact: String(o.exact) };
  if (o.prefix != null) return { prefix: String(o.prefix) };
  if (o.suffix != null) return { suffix: String(o.suffix) };
  return { presence: true };
}
const addrToWire = (a: AuthorizationAddress): Obj => ({ address: ipToBytes(a.address), length: a.length });
const addrFromWire = (o: Obj): AuthorizationAddress => ({
  address: bytesToIp(o.address as Uint8Array),
  length: Number(o.length),
});

function matchToWire(m: Match): Obj {
  return {
    namespaces: m.namespaces.map(smToWire),
    notNamespaces: m.notNamespaces.map(smToWire),
    principals: m.principals.map(smToWire),
    notPrincipals: m.notPrincipals.map(smToWire),
    sourceIps: m.sourceIps.map(addrToWire),
    notSourceIps: m.notSourceIps.map(addrToWire),
    destinationIps: m.destinationIps.map(addrToWire),
    notDestinationIps: m.notDestinationIps.map(addrToWire),
    destinationPorts: m.destinationPorts,
    notDestinationPorts: m.notDestinationPorts,
  };
}

function matchFromWire(o: Obj): Match {
  const sm = (k: string) => ((o[k] as Obj[]) ?? []).map(smFromWire);
  const ad = (k: string) => ((o[k] as Obj[]) ?? []).map(addrFromWire);
  return {
    namespaces: sm('namespaces'),
    notNamespaces: sm('notNamespaces'),
    principals: sm('principals'),
    notPrincipals: sm('notPrincipals'),
    sourceIps: ad('sourceIps'),
    notSourceIps: ad('notSourceIps'),
    destinationIps: ad('destinationIps'),
    notDestinationIps: ad('notDestinationIps'),
    destinationPorts: ((o.destinationPorts as number[]) ?? []).map(Number),
    notDestinationPorts: ((o.notDestinationPorts as number[]) ?? []).map(Number),
  };
}

/** Encodes an `Authorization` as `istio.security.Authorization` bytes. */
export function encodeAuthorization(a: Authorization): Uint8Array {
  const T = messageType('istio.security.Authorization');
  const obj = {
    name: a.name,
    namespace: a.namespace,
    scope: a.scope,
    action: a.action,
    groups: a.rules.map((r) => ({ rules: r.clauses.map((c) => ({ matches: c.matches.map(matchToWire) })) })),
    dryRun: a.dryRun,
  };
  return T.encode(T.fromObject(obj)).finish();
}

/** Decodes `istio.security.Authorization` bytes; throws on malformed input. */
export function decodeAuthorization(bytes: Uint8Array): Authorization {
  const T = messageType('istio.security.Authorization');
  const o = T.toObject(T.decode(bytes), { ...DECODE_OPTIONS, oneofs: false }) as Obj;
  return {
    name: String(o.name),
    namespace: String(o.namespace),
    scope: o.scope as Authorization['scope'],
    action: o.action as Authorization['action'],
    rules: ((o.groups as Obj[]) ?? []).map((g) => ({
      clauses: ((g.rules as Obj[]) ?? []).map((r) => ({
        matches: ((r.matches as Obj[]) ?? []).map(matchFromWire),
      })),
    })),
    dryRun: Boolean(o.dryRun),
  };
}
