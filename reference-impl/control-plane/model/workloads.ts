/**
 * @module reference-impl/control-plane/model/workloads
 * Pod → workload-API `Workload`. uid `<clusterId>//Pod/<ns>/<name>` (Istio's form); HBONE when the
 * pod is enrolled in ambient (namespace or pod label `istio.io/dataplane-mode=ambient`; the pod
 * label `none` opts out). A pod with a sidecar (namespace `istio-injection=enabled` or pod label
 * `sidecar.istio.io/inject=true`, unless the pod says `false`) terminates HBONE itself: Istio marks
 * it with `networking.istio.io/tunnel: http` and sends `native_tunnel`, so ztunnel never captures it.
 * Waypoint pods (labels `gateway.networking.k8s.io/gateway-name` and `gateway.istio.io/managed:
 * istio.io-mesh-controller`) are treated the same way; host-network pods are never captured.
 *
 * ServiceEntry `endpoints` (resolution STATIC) → Workloads carrying the entry's service in
 * `services`, uid `<clusterId>/networking.istio.io/ServiceEntry/<ns>/<name>/<address>` (Istio's form).
 * An endpoint whose address is a pod's gets no Workload of its own: the entry's service is added to
 * the pod's Workload instead, so one address never names two workloads (ztunnel indexes workloads by
 * address, and the pod must keep its identity, tunnel and policies).
 */
import type { Port, Workload } from '../../api/workload.ts';
import type { MeshObject } from '../config/objects.ts';
import type { MeshSettings } from './model-input.ts';
import { portsOnPod, type ServiceEntryEndpoint, serviceSelectsPod } from './services.ts';
import { GATEWAY_NAME_LABEL, resolveWaypoint, type waypointIndex } from './waypoints.ts';

export const DATAPLANE_MODE = 'istio.io/dataplane-mode';
export const INJECTION = 'istio-injection';
export const SIDECAR_INJECT = 'sidecar.istio.io/inject';
export const TUNNEL_LABEL = 'networking.istio.io/tunnel';

/** Istio's workload uid for a pod. */
export const podUid = (clusterId: string, ns: string, name: string): string =>
  `${clusterId}//Pod/${ns}/${name}`;

/** How the data plane handles a pod. */
export type PodMode = 'ambient' | 'sidecar' | 'none';

/** The data-plane mode of a pod given its namespace labels. Sidecar wins over ambient, as in Istio. */
export function podMode(pod: MeshObject, nsLabels: Record<string, string> | undefined): PodMode {
  const labels = pod.metadata.labels ?? {};
  // Host-network pods share the node's address; Istio never captures them.
  if (pod.spec?.hostNetwork === true) return 'none';
  // A waypoint's own pods terminate HBONE themselves (like a sidecar): never captured by ztunnel.
  if (labels[GATEWAY_NAME_LABEL] && labels['gateway.istio.io/managed'] === 'istio.io-mesh-controller')
    return 'sidecar';
  const inject = labels[SIDECAR_INJECT];
  const sidecar =
    labels[TUNNEL_LABEL] === 'http' ||
    inject === 'true' ||
    (nsLabels?.[INJECTION] === 'enabled' && inject !== 'false');
  if (sidecar) return 'sidecar';
  const podLabel = labels[DATAPLANE_MODE];
  if (podLabel === 'none') return 'none';
  if (podLabel === 'ambient' || nsLabels?.[DATAPLANE_MODE] === 'ambient') return 'ambient';
  return 'none';
}

/** Ready per the pod's status: phase Running and condition Ready=True. */
export function podReady(pod: MeshObject): boolean {
  if (pod.status?.phase !== 'Running') return false;
  return (pod.status?.conditions ?? []).some(
    (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
  );
}

function ownerWorkload(pod: MeshObject): { type: Workload['workloadType']; name: string } {
  const owner = (pod.metadata as { ownerReferences?: { kind: string; name: string }[] }).ownerReferences?.[0];
  if (owner?.kind === 'Deployment') return { type: 'DEPLOYMENT', name: owner.name };
  if (owner?.kind === 'CronJob') return { type: 'CRONJOB', name: owner.name };
  if (owner?.kind === 'ReplicaSet')
    return { type: 'DEPLOYMENT', name: owner.name.replace(/-[a-z0-9]{5,10}$/, '') };
  if (owner?.kind === 'Job') return { type: 'JOB', name: owner.name };
  const tmpl = pod.metadata.labels?.['pod-template-hash'];
  if (tmpl)
    return { type: 'DEPLOYMENT', name: pod.metadata.name.replace(new RegExp(`-${tmpl}-[a-z0-9]+$`), '') };
  return { type: 'POD', name: pod.metadata.name };
}

/**
 * One Pod → `Workload`, or undefined when the pod has no IP yet or has finished. `services` are the
 * Services of the pod's namespace; `policies` the `ns/name` of WORKLOAD_SELECTOR policies selecting it.
 */
export function translatePod(
  pod: MeshObject,
  ctx: {
    settings: MeshSettings;
    nsLabels: Record<string, string> | undefined;
    services: MeshObject[];
    waypoints: ReturnType<typeof waypointIndex>;
    policies: string[];
    /** STATIC ServiceEntry endpoints (any namespace); those at the pod's address add their service. */
    serviceEntryEndpoints?: ServiceEntryEndpoint[];
  },
): Workload | undefined {
  const ip: string | undefined = pod.status?.podIP;
  const phase = pod.status?.phase;
  if (!ip || phase === 'Succeeded' || phase === 'Failed') return undefined;
  const { settings } = ctx;
  const ns = pod.metadata.namespace!;
  const labels = pod.metadata.labels ?? {};
  const mode = podMode(pod, ctx.nsLabels);
  const owner = ownerWorkload(pod);
  const services: Record<string, Port[]> = {};
  for (const svc of ctx.services) {
    if (!serviceSelectsPod(svc, pod)) continue;
    services[`${ns}/${svc.metadata.name}.${ns}.svc.${settings.domainSuffix}`] = portsOnPod(svc, pod);
  }
  const ips: string[] = (pod.status?.podIPs as { ip: string }[] | undefined)?.map((p) => p.ip) ?? [ip];
  for (const ep of ctx.serviceEntryEndpoints ?? []) {
    if (ips.includes(ep.address) && ep.network === settings.network) services[ep.serviceKey] = ep.ports;
  }
  const w: Workload = {
    uid: podUid(settings.clusterId, ns, pod.metadata.name),
    name: pod.metadata.name,
    namespace: ns,
    addresses: ips,
    network: settings.network,
    tunnelProtocol: mode === 'none' ? 'NONE' : 'HBONE',
    trustDomain: settings.trustDomain,
    serviceAccount: pod.spec?.serviceAccountName ?? pod.spec?.serviceAccount ?? 'default',
    node: pod.spec?.nodeName ?? '',
    canonicalName:
      labels['service.istio.io/canonical-name'] ??
      labels['app.kubernetes.io/name'] ??
      labels.app ??
      owner.name,
    canonicalRevision:
      labels['service.istio.io/canonical-revision'] ??
      labels['app.kubernetes.io/version'] ??
      labels.version ??
      'latest',
    workloadType: owner.type,
    workloadName: owner.name,
    services,
    authorizationPolicies: ctx.policies,
    status: podReady(pod) ? 'HEALTHY' : 'UNHEALTHY',
    clusterId: settings.clusterId,
  };
  if (mode === 'sidecar') w.nativeTunnel = true;
  // A waypoint's own pods never go through a waypoint; only captured pods get one.
  if (mode === 'ambient' && !labels[GATEWAY_NAME_LABEL]) {
    const wp = resolveWaypoint('workload', ns, labels, ctx.nsLabels, ctx.waypoints, settings);
    if (wp) w.waypoint = wp;
  }
  return w;
}

/** Istio's workload uid for a ServiceEntry endpoint. */
export const serviceEntryUid = (clusterId: string, ns: string, name: string, address: string): string =>
  `${clusterId}/networking.istio.io/ServiceEntry/${ns}/${name}/${address}`;

/**
 * Workloads of ServiceEntry endpoints whose address is no pod's (`podAddresses`): one per entry and
 * address, with every host of the entry in `services`. They are not captured by any ztunnel here
 * (tunnel NONE): the source's ztunnel connects to them in plain TCP.
 */
export function translateServiceEntryWorkloads(
  endpoints: ServiceEntryEndpoint[],
  settings: MeshSettings,
  podAddresses: ReadonlySet<string>,
): Workload[] {
  const out = new Map<string, Workload>();
  for (const ep of endpoints) {
    if (podAddresses.has(ep.address)) continue;
    const { namespace, name } = ep.entry;
    const uid = serviceEntryUid(settings.clusterId, namespace, name, ep.address);
    let w = out.get(uid);
    if (!w) {
      w = {
        uid,
        name,
        namespace,
        addresses: [ep.address],
        network: ep.network,
        tunnelProtocol: 'NONE',
        trustDomain: settings.trustDomain,
        serviceAccount: 'default',
        node: '',
        canonicalName: ep.labels['service.istio.io/canonical-name'] ?? ep.labels.app ?? name,
        canonicalRevision: ep.labels['service.istio.io/canonical-revision'] ?? ep.labels.version ?? 'latest',
        workloadType: 'POD',
        workloadName: name,
        services: {},
        authorizationPolicies: [],
        status: 'HEALTHY',
        clusterId: settings.clusterId,
      };
      out.set(uid, w);
    }
    w.services[ep.serviceKey] = ep.ports;
  }
  return [...out.values()];
}
