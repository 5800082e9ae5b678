/**
 * @module reference-impl/ztunnel/proxy/original-source
 * Which client address the application sees (ztunnel inbound.rs): the HBONE connection's peer
 * address, except when the peer is the destination's own waypoint, whose `Forwarded: for=` names the
 * real client (ztunnel trusts it only from the waypoint; any other peer could claim any address).
 * The upstream connection then leaves from that address (IP_TRANSPARENT, see `dialOriginal`).
 */

import type net from 'node:net';
import { isIPv4 } from 'node:net';
import type { GatewayAddress, Workload } from '../../api/workload.ts';
import { spiffeId } from '../../api/workload.ts';
import type { WorkloadState } from '../state/workload-store.ts';
import type { PodContext } from './inputs.ts';

/**
 * The client IPv4 address of the last `for=` element of a `Forwarded` header (RFC 7239;
 * `for="1.2.3.4:5"` or `for=1.2.3.4`), or undefined. Only the one field ztunnel reads is parsed.
 */
export function forwardedFor(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return undefined;
  const fors = [...text.matchAll(/(?:^|[;,\s])for=(?:"([^"]*)"|([^;,\s]*))/gi)].map(
    (m) => m[1] ?? m[2] ?? '',
  );
  const last = fors.at(-1);
  const ip = last?.replace(/:\d+$/, '');
  return ip && isIPv4(ip) ? ip : undefined;
}

function waypointIdentities(state: WorkloadState, gw: GatewayAddress | undefined): string[] {
  if (!gw) return [];
  const workloads =
    'address' in gw.destination
      ? [state.workloadByIp(gw.destination.address.address)]
      : (() => {
          const svc = state.serviceByHostname(gw.destination.hostname.hostname);
          return svc ? state.endpointsOf(svc) : [];
        })();
  return workloads
    .filter((w) => w !== undefined)
    .map((w) => spiffeId(w.trustDomain, w.namespace, w.serviceAccount));
}

/** True when `peerIdentity` is a waypoint of `destination` (its own, or one of its services'). */
export function fromWaypoint(state: WorkloadState, destination: Workload, peerIdentity: string): boolean {
  const gateways = [
    destination.waypoint,
    ...Object.keys(destination.services).map((k) => state.serviceByKey(k)?.waypoint),
  ];
  return gateways.some((gw) => waypointIdentities(state, gw).includes(peerIdentity));
}

/** The source address the application should see for an inbound HBONE connection. */
export function hboneOriginalSource(
  state: WorkloadState,
  destination: Workload,
  req: {
    headers: Record<string, string | string[] | undefined>;
    peerIdentity: string;
    remote: { ip: string };
  },
): string {
  if (fromWaypoint(state, destination, req.peerIdentity))
    return forwardedFor(req.headers.forwarded) ?? req.remote.ip;
  return req.remote.ip;
}

/** A dial from `source` when the pod's networking can (original source), else from the pod's own IP. */
export function dialOriginal(pod: PodContext, source: string): (ip: string, port: number) => net.Socket {
  const from = pod.dialFrom;
  return from ? (ip, port) => from(source, ip, port) : (ip, port) => pod.dial(ip, port);
}
