/**
 * @module reference-impl/api/workload
 * The proxy-facing workload API: Istio's `istio.workload` and `istio.security` types
 * (ztunnel proto/workload.proto, proto/authorization.proto) as TypeScript, with the same field
 * meanings. The control plane produces these; ztunnel and waypoints consume them. The protobuf
 * encoding (same field numbers) lives with the xDS code; this file is the contract in memory.
 *
 * Addresses are strings here (dotted IPv4), bytes on the wire.
 */

export const TYPE_URL_ADDRESS = 'type.googleapis.com/istio.workload.Address';
export const TYPE_URL_AUTHORIZATION = 'type.googleapis.com/istio.security.Authorization';

export type TunnelProtocol = 'NONE' | 'HBONE';
export type WorkloadStatus = 'HEALTHY' | 'UNHEALTHY';

/** `NetworkAddress { network 1; bytes address 2 }` */
export interface NetworkAddress {
  network: string;
  address: string;
}

/** `NamespacedHostname { namespace 1; hostname 2 }` */
export interface NamespacedHostname {
  namespace: string;
  hostname: string;
}

/** `GatewayAddress { oneof destination { hostname 1 | address 2 } hbone_mtls_port 3 }` */
export interface GatewayAddress {
  destination: { hostname: NamespacedHostname } | { address: NetworkAddress };
  hboneMtlsPort: number;
}

/** `Port { service_port 1; target_port 2; app_protocol 3 }` */
export interface Port {
  servicePort: number;
  targetPort: number;
  appProtocol?: string;
}

/** `LoadBalancing` (mode / routing preference), kept minimal. */
export interface LoadBalancing {
  mode: 'UNSPECIFIED_MODE' | 'STRICT' | 'FAILOVER';
  routingPreference: string[];
}

/** `Service`: key `namespace/hostname`. */
export interface Service {
  name: string;
  namespace: string;
  hostname: string;
  addresses: NetworkAddress[];
  ports: Port[];
  subjectAltNames: string[];
  waypoint?: GatewayAddress;
  loadBalancing?: LoadBalancing;
}

/** `Workload`: key `uid`. `services` maps `namespace/hostname` to that service's ports. */
export interface Workload {
  uid: string;
  name: string;
  namespace: string;
  addresses: string[];
  hostname?: string;
  network: string;
  tunnelProtocol: TunnelProtocol;
  trustDomain: string;
  serviceAccount: string;
  waypoint?: GatewayAddress;
  node: string;
  canonicalName: string;
  canonicalRevision: string;
  workloadType: 'DEPLOYMENT' | 'CRONJOB' | 'POD' | 'JOB';
  workloadName: string;
  /**
   * `native_tunnel = 14`: the workload terminates HBONE itself (a sidecar); the node's ztunnel must
   * not capture it and sends HBONE straight to it. Optional, default false.
   */
  nativeTunnel?: boolean;
  services: Record<string, Port[]>;
  authorizationPolicies: string[];
  status: WorkloadStatus;
  clusterId: string;
}

/** `Address { oneof type { Workload workload 1; Service service 2 } }` */
export type Address = { workload: Workload } | { service: Service };

export type StringMatch = { exact: string } | { prefix: string } | { suffix: string } | { presence: true };

/** An IP or CIDR: `Address { bytes address 1; uint32 length 2 }` in authorization.proto. */
export interface AuthorizationAddress {
  address: string;
  length: number;
}

/** One `Match`: every non-empty field must match (AND); values within a field are ORed. */
export interface Match {
  namespaces: StringMatch[];
  notNamespaces: StringMatch[];
  /** Matched without the `spiffe://` prefix, e.g. `cluster.local/ns/a/sa/b`. */
  principals: StringMatch[];
  notPrincipals: StringMatch[];
  sourceIps: AuthorizationAddress[];
  notSourceIps: AuthorizationAddress[];
  destinationIps: AuthorizationAddress[];
  notDestinationIps: AuthorizationAddress[];
  destinationPorts: number[];
  notDestinationPorts: number[];
}

/** A Match with every field empty (matches anything), with `overrides` applied. */
export function emptyMatch(overrides: Partial<Match> = {}): Match {
  return {
    namespaces: [],
    notNamespaces: [],
    principals: [],
    notPrincipals: [],
    sourceIps: [],
    notSourceIps: [],
    destinationIps: [],
    notDestinationIps: [],
    destinationPorts: [],
    notDestinationPorts: [],
    ...overrides,
  };
}

/** `Clause { repeated Match matches 2 }`: the matches are ORed. */
export interface Clause {
  matches: Match[];
}

/** `Rule { repeated Clause clauses 1 }`: the clauses are ANDed. */
export interface Rule {
  clauses: Clause[];
}

export type AuthorizationScope = 'GLOBAL' | 'NAMESPACE' | 'WORKLOAD_SELECTOR';
export type AuthorizationAction = 'ALLOW' | 'DENY';

/** `Authorization`: key `namespace/name`. DENY is evaluated before ALLOW. */
export interface Authorization {
  name: string;
  namespace: string;
  scope: AuthorizationScope;
  action: AuthorizationAction;
  rules: Rule[];
  dryRun: boolean;
}

/** Key of a workload resource on the xDS channel. */
export const workloadKey = (w: Workload): string => w.uid;
/** Key of a service resource on the xDS channel. */
export const serviceKey = (s: Service): string => `${s.namespace}/${s.hostname}`;
/** Key of a policy resource on the xDS channel. */
export const authorizationKey = (a: Authorization): string => `${a.namespace}/${a.name}`;

/** SPIFFE identity of a workload: `spiffe://<trust-domain>/ns/<ns>/sa/<sa>`. */
export function spiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** Parses a SPIFFE identity; undefined when it is not of the Istio form. */
export function parseSpiffeId(
  id: string,
): { trustDomain: string; namespace: string; serviceAccount: string } | undefined {
  const m = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(id);
  return m ? { trustDomain: m[1]!, namespace: m[2]!, serviceAccount: m[3]! } : undefined;
}
