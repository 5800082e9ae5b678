/**
 * @module clusters/existing/kinds
 * Kind names → API versions and scope, for references that omit `apiVersion` (core kinds) and for
 * `Cluster.list(kind)`, which takes a bare kind or a qualified `group/version/Kind`.
 */
import type { KubeObject, ObjectRef } from '../cluster.ts';

/** Default apiVersion per kind (the ones suites use without saying). */
export const DEFAULT_API_VERSIONS: Readonly<Record<string, string>> = {
  Namespace: 'v1',
  Pod: 'v1',
  Service: 'v1',
  ServiceAccount: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  Endpoints: 'v1',
  Node: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  Job: 'batch/v1',
  AuthorizationPolicy: 'security.istio.io/v1',
  PeerAuthentication: 'security.istio.io/v1',
  RequestAuthentication: 'security.istio.io/v1',
  VirtualService: 'networking.istio.io/v1',
  DestinationRule: 'networking.istio.io/v1',
  ServiceEntry: 'networking.istio.io/v1',
  Sidecar: 'networking.istio.io/v1',
  Telemetry: 'telemetry.istio.io/v1',
  Gateway: 'gateway.networking.k8s.io/v1',
  GatewayClass: 'gateway.networking.k8s.io/v1',
  HTTPRoute: 'gateway.networking.k8s.io/v1',
  GRPCRoute: 'gateway.networking.k8s.io/v1',
};

/** Order in which kinds are applied: namespaces and identities before what uses them. */
const APPLY_ORDER = ['Namespace', 'ServiceAccount', 'ConfigMap', 'Secret', 'Service'];

/** Sorts objects for apply (stable within a rank); deletion uses the reverse. */
export function applyOrder<T extends { kind: string }>(objects: readonly T[]): T[] {
  const rank = (k: string) => {
    const i = APPLY_ORDER.indexOf(k);
    return i === -1 ? APPLY_ORDER.length : i;
  };
  return objects
    .map((o, i) => ({ o, i }))
    .sort((a, b) => rank(a.o.kind) - rank(b.o.kind) || a.i - b.i)
    .map((x) => x.o);
}

/** `Deployment`, or `apps/v1/Deployment` → `{ apiVersion, kind }`. */
export function resolveKind(kind: string): { apiVersion: string; kind: string } {
  const parts = kind.split('/');
  if (parts.length >= 2) {
    const k = parts.pop()!;
    return { apiVersion: parts.join('/'), kind: k };
  }
  return { apiVersion: DEFAULT_API_VERSIONS[kind] ?? 'v1', kind };
}

/** The header the object API needs, from an `ObjectRef` or a full object. */
export function headerOf(ref: ObjectRef | KubeObject): {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
} {
  if ('metadata' in ref) {
    const md = ref.metadata;
    return {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: md.name, ...(md.namespace ? { namespace: md.namespace } : {}) },
    };
  }
  const { apiVersion } = ref.apiVersion ? { apiVersion: ref.apiVersion } : resolveKind(ref.kind);
  return {
    apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
  };
}

/** `Kind ns/name` for messages. */
export function describeRef(ref: ObjectRef | KubeObject): string {
  const h = headerOf(ref);
  return h.metadata.namespace
    ? `${h.kind} ${h.metadata.namespace}/${h.metadata.name}`
    : `${h.kind} ${h.metadata.name}`;
}

/** `{a: '1', b: '2'}` → `a=1,b=2`. */
export function labelSelectorString(selector: Record<string, string> | undefined): string | undefined {
  if (!selector) return undefined;
  const parts = Object.entries(selector).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(',') : undefined;
}
