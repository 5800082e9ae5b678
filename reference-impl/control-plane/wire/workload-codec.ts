/**
 * @module reference-impl/control-plane/wire/workload-codec
 * `istio.workload.Address` ⇄ the in-memory `Address` of reference-impl/api/workload.ts, with ztunnel's
 * field numbers. Pure functions; the xDS server and client both use them.
 */
import type {
  Address,
  GatewayAddress,
  LoadBalancing,
  Port,
  Service,
  TunnelProtocol,
  Workload,
  WorkloadStatus,
} from '../../api/workload.ts';
import { bytesToIp, ipToBytes } from './ip-bytes.ts';
import { DECODE_OPTIONS, messageType } from './proto-root.ts';

type Obj = Record<string, unknown>;

const addressType = () => messageType('istio.workload.Address');

function gatewayToWire(g: GatewayAddress): Obj {
  const d = g.destination;
  return 'hostname' in d
    ? {
        hostname: { namespace: d.hostname.namespace, hostname: d.hostname.hostname },
        hboneMtlsPort: g.hboneMtlsPort,
      }
    : {
        address: { network: d.address.network, address: ipToBytes(d.address.address) },
        hboneMtlsPort: g.hboneMtlsPort,
      };
}

function gatewayFromWire(o: Obj | null | undefined): GatewayAddress | undefined {
  if (!o) return undefined;
  const host = o.hostname as Obj | null;
  const addr = o.address as Obj | null;
  const hboneMtlsPort = Number(o.hboneMtlsPort ?? 0);
  if (host) {
    return {
      destination: { hostname: { namespace: String(host.namespace), hostname: String(host.hostname) } },
      hboneMtlsPort,
    };
  }
  if (addr) {
    return {
      destination: {
        address: { network: String(addr.network), address: bytesToIp(addr.address as Uint8Array) },
      },
      hboneMtlsPort,
    };
  }
  return undefined;
}

const portsToWire = (ports: Port[]): Obj[] =>
  ports.map((p) => ({ servicePort: p.servicePort, targetPort: p.targetPort }));
const portsFromWire = (ports: Obj[] = []): Port[] =>
  ports.map((p) => ({ servicePort: Number(p.servicePort), targetPort: Number(p.targetPort) }));

function workloadToWire(w: Workload): Obj {
  const services: Record<string, Obj> = {};
  for (const [k, ports] of Object.entries(w.services)) services[k] = { ports: portsToWire(ports) };
  return {
    uid: w.uid,
    name: w.name,
    namespace: w.namespace,
    addresses: w.addresses.map(ipToBytes),
    hostname: w.hostname ?? '',
    network: w.network,
    tunnelProtocol: w.tunnelProtocol === 'HBONE' ? 1 : 0,
    trustDomain: w.trustDomain,
    serviceAccount: w.serviceAccount,
    waypoint: w.waypoint ? gatewayToWire(w.waypoint) : undefined,
    node: w.node,
    canonicalName: w.canonicalName,
    canonicalRevision: w.canonicalRevision,
    workloadType: ['DEPLOYMENT', 'CRONJOB', 'POD', 'JOB'].indexOf(w.workloadType),
    workloadName: w.workloadName,
    nativeTunnel: w.nativeTunnel ?? false,
    services,
    authorizationPolicies: w.authorizationPolicies,
    status: w.status === 'UNHEALTHY' ? 1 : 0,
    clusterId: w.clusterId,
  };
}

function workloadFromWire(o: Obj): Workload {
  const services: Record<string, Port[]> = {};
  for (const [k, v] of Object.entries((o.services as Record<string, Obj>) ?? {})) {
    services[k] = portsFromWire(v.ports as Obj[]);
  }
  const w: Workload = {
    uid: String(o.uid),
    name: String(o.name),
    namespace: String(o.namespace),
    addresses: ((o.addresses as Uint8Array[]) ?? []).map(bytesToIp),
    network: String(o.network),
    tunnelProtocol: o.tunnelProtocol as TunnelProtocol,
    trustDomain: String(o.trustDomain),
    serviceAccount: String(o.serviceAccount),
    node: String(o.node),
    canonicalName: String(o.canonicalName),
    canonicalRevision: String(o.canonicalRevision),
    workloadType: o.workloadType as Workload['workloadType'],
    workloadName: String(o.workloadName),
    services,
    authorizationPolicies: (o.authorizationPolicies as string[]) ?? [],
    status: o.status as WorkloadStatus,
    clusterId: String(o.clusterId),
  };
  if (o.hostname) w.hostname = String(o.hostname);
  const wp = gatewayFromWire(o.waypoint as Obj | null);
  if (wp) w.waypoint = wp;
  if (o.nativeTunnel) w.nativeTunnel = true;
  return w;
}

function serviceToWire(s: Service): Obj {
  return {
    name: s.name,
    namespace: s.namespace,
    hostname: s.hostname,
    addresses: s.addresses.map((a) => ({ network: a.network, address: ipToBytes(a.address) })),
    ports: portsToWire(s.ports),
    subjectAltNames: s.subjectAltNames,
    waypoint: s.waypoint ? gatewayToWire(s.waypoint) : undefined,
    loadBalancing: s.loadBalancing
      ? { mode: s.loadBalancing.mode, routingPreference: s.loadBalancing.routingPreference }
      : undefined,
  };
}

function serviceFromWire(o: Obj): Service {
  const s: Service = {
    name: String(o.name),
    namespace: String(o.namespace),
    hostname: String(o.hostname),
    addresses: ((o.addresses as Obj[]) ?? []).map((a) => ({
      network: String(a.network),
      address: bytesToIp(a.address as Uint8Array),
    })),
    ports: portsFromWire(o.ports as Obj[]),
    subjectAltNames: (o.subjectAltNames as string[]) ?? [],
  };
  const wp = gatewayFromWire(o.waypoint as Obj | null);
  if (wp) s.waypoint = wp;
  const lb = o.loadBalancing as Obj | null;
  if (lb)
    s.loadBalancing = {
      mode: lb.mode as LoadBalancing['mode'],
      routingPreference: (lb.routingPreference as string[]) ?? [],
    };
  return s;
}

/** Encodes an `Address` (workload or service) as `istio.workload.Address` bytes. */
export function encodeAddress(a: Address): Uint8Array {
  const T = addressType();
  const obj =
    'workload' in a ? { workload: workloadToWire(a.workload) } : { service: serviceToWire(a.service) };
  return T.encode(T.fromObject(obj)).finish();
}

/** Decodes `istio.workload.Address` bytes; throws on malformed input. */
export function decodeAddress(bytes: Uint8Array): Address {
  const T = addressType();
  const o = T.toObject(T.decode(bytes), DECODE_OPTIONS) as Obj;
  if (o.workload) return { workload: workloadFromWire(o.workload as Obj) };
  if (o.service) return { service: serviceFromWire(o.service as Obj) };
  throw new Error('istio.workload.Address carries neither a workload nor a service');
}
