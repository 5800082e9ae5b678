/**
 * @module clusters/local/daemon/waypoint-controller
 * Istio's waypoint deployment controller for the local provider (pure): a Gateway of class
 * `istio-waypoint` becomes a ServiceAccount, a Deployment and a Service all named after it (HBONE
 * port 15008, status port 15021), its pods labelled `gateway.networking.k8s.io/gateway-name` and
 * `gateway.istio.io/managed`, never captured by ztunnel; the Gateway's status gets Programmed=True
 * and the Service address once the Deployment has a ready replica. Objects of a deleted Gateway go.
 */
import type { KubeObject, ObjectRef } from '../../cluster.ts';

export const WAYPOINT_CLASS = 'istio-waypoint';
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
export const MANAGED_LABEL = 'gateway.istio.io/managed';
export const MANAGED_VALUE = 'istio.io-mesh-controller';

/** What the controller wants done. */
export interface WaypointPlan {
  /** Objects to apply (only those missing or different from what is stored). */
  apply: KubeObject[];
  delete: ObjectRef[];
  /** New Gateway statuses by `namespace/name`. */
  status: { namespace: string; name: string; status: Record<string, unknown> }[];
}

/** The objects Istio deploys for waypoint `gw`, running `command`. */
export function waypointObjects(gw: KubeObject, command: string[]): KubeObject[] {
  const name = gw.metadata.name;
  const namespace = gw.metadata.namespace ?? 'default';
  const labels = { [GATEWAY_NAME_LABEL]: name, [MANAGED_LABEL]: MANAGED_VALUE };
  const owner = { 'meshbench.io/waypoint-for-gateway': name };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels, annotations: owner } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels, annotations: owner },
      spec: {
        replicas: 1,
        selector: { matchLabels: { [GATEWAY_NAME_LABEL]: name } },
        template: {
          metadata: {
            labels: { ...labels, 'istio.io/dataplane-mode': 'none', 'sidecar.istio.io/inject': 'false' },
          },
          spec: {
            serviceAccountName: name,
            containers: [
              {
                name: 'istio-proxy',
                image: 'meshbench/waypoint',
                command,
                ports: [
                  { name: 'mesh', containerPort: 15008 },
                  { name: 'http-envoy-prom', containerPort: 15020 },
                  { name: 'status-port', containerPort: 15021 },
                ],
                readinessProbe: { httpGet: { path: '/healthz/ready', port: 15021 }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels, annotations: owner },
      spec: {
        selector: { [GATEWAY_NAME_LABEL]: name },
        ports: [
          { name: 'status-port', port: 15021, targetPort: 15021, protocol: 'TCP' },
          { name: 'mesh', port: 15008, targetPort: 15008, protocol: 'TCP', appProtocol: 'all' },
        ],
      },
    },
  ];
}

const same = (a: KubeObject | undefined, b: KubeObject) =>
  a !== undefined &&
  JSON.stringify([a.spec, a.metadata.labels]) ===
    JSON.stringify([
      b.kind === 'Service'
        ? { ...(b.spec as object), clusterIP: (a.spec as { clusterIP?: string }).clusterIP }
        : b.spec,
      b.metadata.labels,
    ]);

/** One reconcile pass over the stored Gateways and the waypoint objects they own. */
export function reconcileWaypoints(
  gateways: readonly KubeObject[],
  owned: readonly KubeObject[],
  get: (ref: ObjectRef) => KubeObject | undefined,
  command: string[],
): WaypointPlan {
  const plan: WaypointPlan = { apply: [], delete: [], status: [] };
  const live = new Set<string>();
  for (const gw of gateways) {
    if ((gw.spec as { gatewayClassName?: string } | undefined)?.gatewayClassName !== WAYPOINT_CLASS) continue;
    const ns = gw.metadata.namespace ?? 'default';
    live.add(`${ns}/${gw.metadata.name}`);
    for (const o of waypointObjects(gw, command)) {
      const stored = get({ kind: o.kind, namespace: ns, name: o.metadata.name });
      if (!same(stored, o)) plan.apply.push(o);
    }
    const dep = get({ kind: 'Deployment', namespace: ns, name: gw.metadata.name });
    const svc = get({ kind: 'Service', namespace: ns, name: gw.metadata.name });
    const ready = Number((dep?.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0) > 0;
    const ip = (svc?.spec as { clusterIP?: string } | undefined)?.clusterIP;
    const generation = gw.metadata.generation;
    const status = {
      addresses: ip ? [{ type: 'IPAddress', value: ip }] : [],
      conditions: [
        { type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration: generation },
        {
          type: 'Programmed',
          status: ready && ip ? 'True' : 'False',
          reason: ready && ip ? 'Programmed' : 'NoReadyReplica',
          message: ready && ip ? 'waypoint deployed' : 'waiting for a ready waypoint replica',
          observedGeneration: generation,
        },
      ],
    };
    if (JSON.stringify(gw.status) !== JSON.stringify(status))
      plan.status.push({ namespace: ns, name: gw.metadata.name, status });
  }
  for (const o of owned) {
    const gwName = o.metadata.annotations?.['meshbench.io/waypoint-for-gateway'];
    if (!gwName || o.metadata.labels?.[MANAGED_LABEL] !== MANAGED_VALUE) continue;
    if (!live.has(`${o.metadata.namespace ?? 'default'}/${gwName}`))
      plan.delete.push({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name });
  }
  return plan;
}
