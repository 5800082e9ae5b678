/**
 * @module reference-impl/control-plane/config/objects
 * The typed Kubernetes and mesh objects the config store holds, and their keys. Objects stay close
 * to their manifests (`spec` is the API's own shape); the schema check in validate.ts is what makes
 * the shapes trustworthy.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
}

/** Any object of a supported kind. */
export interface MeshObject {
  apiVersion: string;
  kind: Kind;
  metadata: ObjectMeta;
  // biome-ignore lint/suspicious/noExplicitAny: the per-kind shape is the API's own, checked by schema
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: same
  status?: any;
}

/** Every kind the control plane reads. */
export const KINDS = [
  'Namespace',
  'Pod',
  'Service',
  'ServiceAccount',
  'AuthorizationPolicy',
  'PeerAuthentication',
  'RequestAuthentication',
  'VirtualService',
  'DestinationRule',
  'ServiceEntry',
  'EnvoyFilter',
  'Telemetry',
  'Gateway',
  'HTTPRoute',
  'GRPCRoute',
] as const;

export type Kind = (typeof KINDS)[number];

/**
 * Valid Kubernetes kinds the control plane has no use for (a cluster's config directory may hold
 * them): skipped quietly instead of being rejected.
 */
export const IGNORED_KINDS: ReadonlySet<string> = new Set([
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'EndpointSlice',
  'Node',
  'Event',
  'Lease',
  'GatewayClass',
  'ReferenceGrant',
  'NetworkPolicy',
  'WorkloadEntry',
  'WorkloadGroup',
  'Sidecar',
]);

/** Kinds without a namespace. */
export const CLUSTER_SCOPED: ReadonlySet<Kind> = new Set(['Namespace']);

/** Store key of an object: `<kind>/<namespace>/<name>` (namespace empty when cluster-scoped). */
export const objectKey = (kind: string, namespace: string | undefined, name: string): string =>
  `${kind}/${namespace ?? ''}/${name}`;

/** Store key of `o`. */
export const keyOf = (o: Pick<MeshObject, 'kind' | 'metadata'>): string =>
  objectKey(o.kind, o.metadata.namespace, o.metadata.name);

/** True when `kind` is supported. */
export const isKind = (kind: unknown): kind is Kind =>
  typeof kind === 'string' && (KINDS as readonly string[]).includes(kind);
