/**
 * @module reference-impl/control-plane/model/test-objects
 * Builders of manifests for the model's table tests.
 */
import type { MeshObject } from '../config/objects.ts';

/** A Namespace with labels. */
export const ns = (name: string, labels: Record<string, string> = {}): MeshObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});

/** A running, ready pod `namespace/name` on node-a with IP `ip`. */
export function pod(
  namespace: string,
  name: string,
  ip: string,
  opts: {
    labels?: Record<string, string>;
    ready?: boolean;
    node?: string;
    sa?: string;
    ports?: { name: string; containerPort: number }[];
  } = {},
): MeshObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: opts.labels ?? { app: name } },
    spec: {
      nodeName: opts.node ?? 'node-a',
      serviceAccountName: opts.sa ?? 'default',
      containers: [{ name: 'c', image: 'echo', ports: opts.ports ?? [] }],
    },
    status: {
      phase: 'Running',
      podIP: ip,
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    },
  };
}

/** A ClusterIP Service. */
export function service(
  namespace: string,
  name: string,
  vip: string,
  selector: Record<string, string>,
  ports: { port: number; targetPort?: number | string; name?: string }[],
  labels: Record<string, string> = {},
): MeshObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels },
    spec: { clusterIP: vip, selector, ports },
  };
}

/** A waypoint Gateway. */
export const waypoint = (namespace: string, name: string, waypointFor?: string): MeshObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace, labels: waypointFor ? { 'istio.io/waypoint-for': waypointFor } : {} },
  spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
});

/** An AuthorizationPolicy. */
export const policy = (namespace: string, name: string, spec: Record<string, unknown>): MeshObject => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'AuthorizationPolicy',
  metadata: { name, namespace },
  spec,
});
