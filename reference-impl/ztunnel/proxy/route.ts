/**
 * @module reference-impl/ztunnel/proxy/route
 * Where an outbound connection goes (ztunnel outbound::build_request), as ordered candidates so a
 * failed connect can retry on the next: 1. a Service VIP with a waypoint → HBONE to the waypoint,
 * authority stays `VIP:port`; 2. else the picked endpoint's own waypoint unless the traffic comes from
 * it; 3. else HBONE to `podIP:15008`, or plain TCP when the destination is not captured.
 * Load balancing is per connection: random among healthy endpoints, ejected ones last. A service
 * with VirtualService `tcp` routes in its L4 traffic policy first picks one backend by weight (a
 * DestinationRule subset = the workloads the control plane resolved for it), then balances among
 * that backend's endpoints.
 */
import type { L4Backend, L4Route } from '../../api/l4.ts';
import type { GatewayAddress, Service, Workload } from '../../api/workload.ts';
import { serviceKey, spiffeId } from '../../api/workload.ts';
import type { WorkloadState } from '../state/workload-store.ts';
import type { EndpointHealth } from './endpoint-health.ts';

/** One way to reach the destination. */
export type Route =
  | {
      kind: 'hbone';
      /** The peer ztunnel / waypoint: `ip:15008`. */
      address: { ip: string; port: number };
      authority: string;
      destinationIdentity: string;
      destinationWorkload: Workload;
      /** The final application address (`podIP:targetPort`) or the service `VIP:port` for a waypoint. */
      target: { ip: string; port: number };
      service?: Service;
      viaWaypoint: boolean;
    }
  | { kind: 'tcp'; target: { ip: string; port: number }; destinationWorkload?: Workload; service?: Service };

const identityOf = (w: Workload) => spiffeId(w.trustDomain, w.namespace, w.serviceAccount);

function resolveWaypoint(state: WorkloadState, gw: GatewayAddress): Workload | undefined {
  if ('address' in gw.destination) return state.workloadByIp(gw.destination.address.address);
  const svc = state.serviceByHostname(gw.destination.hostname.hostname);
  if (!svc) return undefined;
  return state.endpointsOf(svc).find((w) => w.status === 'HEALTHY');
}

function shuffled<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

function toWaypoint(
  state: WorkloadState,
  gw: GatewayAddress,
  target: { ip: string; port: number },
  service?: Service,
): Route | undefined {
  const wp = resolveWaypoint(state, gw);
  const ip = wp?.addresses[0];
  if (!wp || !ip) return undefined;
  return {
    kind: 'hbone',
    address: { ip, port: gw.hboneMtlsPort || 15008 },
    authority: `${target.ip}:${target.port}`,
    destinationIdentity: identityOf(wp),
    destinationWorkload: wp,
    target,
    service,
    viaWaypoint: true,
  };
}

function toWorkload(
  state: WorkloadState,
  source: Workload | undefined,
  w: Workload,
  port: number,
  hbonePort: number,
  service?: Service,
): Route | undefined {
  const ip = w.addresses[0];
  if (!ip) return undefined;
  const target = { ip, port };
  if (w.waypoint) {
    const wp = resolveWaypoint(state, w.waypoint);
    if (wp && !(source && wp.uid === source.uid)) return toWaypoint(state, w.waypoint, target, service);
  }
  if (w.tunnelProtocol === 'HBONE') {
    return {
      kind: 'hbone',
      address: { ip, port: hbonePort },
      authority: `${ip}:${port}`,
      destinationIdentity: identityOf(w),
      destinationWorkload: w,
      target,
      service,
      viaWaypoint: false,
    };
  }
  return { kind: 'tcp', target, destinationWorkload: w, service };
}

/** The first tcp route matching destination port `port` (a route without ports matches all). */
export function matchTcpRoute(routes: readonly L4Route[], port: number): L4Route | undefined {
  return routes.find((r) => r.ports.length === 0 || r.ports.includes(port));
}

/**
 * One backend chosen with probability weight / total (`random` in [0, 1)); undefined when every
 * weight is 0 or there is no backend.
 */
export function pickWeighted<T extends Pick<L4Backend, 'weight'>>(
  backends: readonly T[],
  random: () => number = Math.random,
): T | undefined {
  const total = backends.reduce((n, b) => n + Math.max(0, b.weight), 0);
  if (total <= 0) return undefined;
  let r = random() * total;
  for (const b of backends) {
    if (b.weight <= 0) continue;
    if (r < b.weight) return b;
    r -= b.weight;
  }
  return backends.findLast((b) => b.weight > 0);
}

/** Healthy endpoints of `svc` (only `only` uids when given) as routes, shuffled, ejected ones last. */
function endpointRoutes(
  state: WorkloadState,
  health: EndpointHealth,
  source: Workload | undefined,
  svc: Service,
  servicePort: number,
  hbonePort: number,
  only?: readonly string[],
): Route[] {
  const key = serviceKey(svc);
  const port = svc.ports.find((p) => p.servicePort === servicePort);
  const endpoints = state
    .endpointsOf(svc)
    .filter((w) => w.status === 'HEALTHY' && (!only || only.includes(w.uid)));
  const routes: Route[] = [];
  for (const w of shuffled(endpoints)) {
    const wPort = w.services[key]?.find((p) => p.servicePort === servicePort);
    const targetPort = wPort?.targetPort || port?.targetPort || servicePort;
    const r = toWorkload(state, source, w, targetPort, hbonePort, svc);
    if (r) routes.push(r);
  }
  const key2 = (r: Route) => `${r.target.ip}:${r.target.port}`;
  return [
    ...routes.filter((r) => !health.isEjected(key2(r))),
    ...routes.filter((r) => health.isEjected(key2(r))),
  ];
}

/** Candidate routes for a connection to `dst`, best first; empty when a service has no endpoint. */
export function planRoutes(
  state: WorkloadState,
  health: EndpointHealth,
  source: Workload | undefined,
  dst: { ip: string; port: number },
  hbonePort = 15008,
  random: () => number = Math.random,
): Route[] {
  const svc = state.serviceByVip(dst.ip);
  if (svc) {
    if (svc.waypoint) {
      const wp = resolveWaypoint(state, svc.waypoint);
      if (wp && !(source && wp.uid === source.uid)) {
        const r = toWaypoint(state, svc.waypoint, dst, svc);
        return r ? [r] : [];
      }
    }
    const tcpRoute = matchTcpRoute(state.trafficPolicy(serviceKey(svc))?.routes ?? [], dst.port);
    if (tcpRoute) {
      const backend = pickWeighted(tcpRoute.backends, random);
      const target = backend && state.serviceByKey(backend.service);
      if (!backend || !target) return [];
      return endpointRoutes(
        state,
        health,
        source,
        target,
        backend.port ?? dst.port,
        hbonePort,
        backend.workloads,
      );
    }
    return endpointRoutes(state, health, source, svc, dst.port, hbonePort);
  }
  const w = state.workloadByIp(dst.ip);
  if (w) {
    const r = toWorkload(state, source, w, dst.port, hbonePort);
    return r ? [r] : [];
  }
  return [{ kind: 'tcp', target: dst }];
}
