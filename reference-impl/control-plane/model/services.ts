/**
 * @module reference-impl/control-plane/model/services
 * Kubernetes Service (and ServiceEntry with addresses) → workload-API `Service`, the port
 * mapping of a service onto one pod (named targetPorts resolved from the pod's container ports), and
 * the inline `endpoints` of a STATIC ServiceEntry with their ports.
 */
import { isIP } from 'node:net';
import type { Port, Service } from '../../api/workload.ts';
import type { MeshObject } from '../config/objects.ts';
import {
  type MeshSettings,
  type ModelInput,
  namespaceLabels,
  objectsOf,
  serviceHostname,
} from './model-input.ts';
import { resolveWaypoint, waypointIndex } from './waypoints.ts';

interface ServicePortSpec {
  port: number;
  targetPort?: number | string;
  name?: string;
  protocol?: string;
  appProtocol?: string;
}

/** Ports of a service as the `Service` resource carries them (named targetPorts → 0). */
export function servicePorts(svc: MeshObject): Port[] {
  return ((svc.spec?.ports ?? []) as ServicePortSpec[])
    .filter((p) => (p.protocol ?? 'TCP') === 'TCP')
    .map((p) => ({
      servicePort: p.port,
      targetPort: typeof p.targetPort === 'number' ? p.targetPort : p.targetPort === undefined ? p.port : 0,
    }));
}

/** Container port number of a named port on `pod`, or undefined. */
export function namedPort(pod: MeshObject, name: string): number | undefined {
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === name) return p.containerPort;
  }
  return undefined;
}

/** Ports of `svc` on `pod`: named targetPorts resolved from the pod; unresolvable ones dropped. */
export function portsOnPod(svc: MeshObject, pod: MeshObject): Port[] {
  const out: Port[] = [];
  for (const p of (svc.spec?.ports ?? []) as ServicePortSpec[]) {
    if ((p.protocol ?? 'TCP') !== 'TCP') continue;
    let target: number | undefined;
    if (p.targetPort === undefined) target = p.port;
    else if (typeof p.targetPort === 'number') target = p.targetPort;
    else if (/^\d+$/.test(p.targetPort)) target = Number(p.targetPort);
    else target = namedPort(pod, p.targetPort);
    if (target !== undefined) out.push({ servicePort: p.port, targetPort: target });
  }
  return out;
}

/** True when `svc` has a selector that selects `pod` (same namespace). */
export function serviceSelectsPod(svc: MeshObject, pod: MeshObject): boolean {
  const sel = svc.spec?.selector as Record<string, string> | undefined;
  if (!sel || Object.keys(sel).length === 0 || svc.metadata.namespace !== pod.metadata.namespace)
    return false;
  const labels = pod.metadata.labels ?? {};
  for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) return false;
  return true;
}

/** One Kubernetes Service → `Service`. */
export function translateService(
  svc: MeshObject,
  settings: MeshSettings,
  ctx: { nsLabels: Map<string, Record<string, string>>; waypoints: ReturnType<typeof waypointIndex> },
): Service {
  const ns = svc.metadata.namespace!;
  const ips: string[] =
    (svc.spec?.clusterIPs as string[] | undefined) ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : []);
  const out: Service = {
    name: svc.metadata.name,
    namespace: ns,
    hostname: serviceHostname(svc.metadata.name, ns, settings),
    addresses: ips
      .filter((ip) => ip && ip !== 'None')
      .map((address) => ({ network: settings.network, address })),
    ports: servicePorts(svc),
    subjectAltNames: [],
  };
  // A waypoint's own Service is never sent through a waypoint.
  const isWaypoint = ctx.waypoints.has(`${ns}/${svc.metadata.name}`);
  const wp = isWaypoint
    ? undefined
    : resolveWaypoint('service', ns, svc.metadata.labels, ctx.nsLabels.get(ns), ctx.waypoints, settings);
  if (wp) out.waypoint = wp;
  return out;
}

/** ServiceEntry (hosts with addresses) → `Service`s, one per host. */
export function translateServiceEntry(se: MeshObject, settings: MeshSettings): Service[] {
  const ns = se.metadata.namespace!;
  const addrs = ((se.spec?.addresses ?? []) as string[]).filter((a) => !a.includes('/'));
  return ((se.spec?.hosts ?? []) as string[]).map((host) => ({
    name: se.metadata.name,
    namespace: ns,
    hostname: host,
    addresses: addrs.map((address) => ({ network: settings.network, address })),
    ports: ((se.spec?.ports ?? []) as { number: number; targetPort?: number }[]).map((p) => ({
      servicePort: p.number,
      targetPort: p.targetPort ?? p.number,
    })),
    subjectAltNames: (se.spec?.subjectAltNames ?? []) as string[],
  }));
}

interface ServiceEntryEndpointSpec {
  address?: string;
  ports?: Record<string, number>;
  labels?: Record<string, string>;
  network?: string;
}

/** One inline endpoint of a ServiceEntry, for one of its hosts. */
export interface ServiceEntryEndpoint {
  /** The ServiceEntry's `namespace/name`. */
  entry: { namespace: string; name: string };
  address: string;
  /** `namespace/hostname` of the ServiceEntry host this endpoint backs (a Workload `services` key). */
  serviceKey: string;
  /** Service port → port on this endpoint (`endpoints[].ports[<port name>]` overrides `targetPort`). */
  ports: Port[];
  labels: Record<string, string>;
  network: string;
}

/**
 * Inline endpoints of a ServiceEntry with `resolution: STATIC` (Istio's default is NONE: no
 * endpoints), one entry per host × endpoint. Endpoints without an IP address (DNS names, unix
 * sockets) are skipped: they belong to `resolution: DNS`.
 */
export function serviceEntryEndpoints(se: MeshObject, settings: MeshSettings): ServiceEntryEndpoint[] {
  if (se.spec?.resolution !== 'STATIC') return [];
  const ns = se.metadata.namespace!;
  const sePorts = (se.spec?.ports ?? []) as { number: number; name?: string; targetPort?: number }[];
  const out: ServiceEntryEndpoint[] = [];
  for (const ep of (se.spec?.endpoints ?? []) as ServiceEntryEndpointSpec[]) {
    const address = ep.address ?? '';
    if (isIP(address) === 0) continue;
    const ports = sePorts.map((p) => ({
      servicePort: p.number,
      targetPort: (p.name && ep.ports?.[p.name]) || p.targetPort || p.number,
    }));
    for (const host of (se.spec?.hosts ?? []) as string[]) {
      out.push({
        entry: { namespace: ns, name: se.metadata.name },
        address,
        serviceKey: `${ns}/${host}`,
        ports,
        labels: ep.labels ?? {},
        network: ep.network ?? settings.network,
      });
    }
  }
  return out;
}

/** Every `Service` of the input, keyed `namespace/hostname`. */
export function translateServices(input: ModelInput, settings: MeshSettings): Map<string, Service> {
  const ctx = { nsLabels: namespaceLabels(input), waypoints: waypointIndex(input) };
  const out = new Map<string, Service>();
  for (const svc of objectsOf(input, 'Service')) {
    const s = translateService(svc, settings, ctx);
    out.set(`${s.namespace}/${s.hostname}`, s);
  }
  for (const se of objectsOf(input, 'ServiceEntry')) {
    for (const s of translateServiceEntry(se, settings)) out.set(`${s.namespace}/${s.hostname}`, s);
  }
  return out;
}
