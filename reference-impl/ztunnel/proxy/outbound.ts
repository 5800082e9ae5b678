/**
 * @module reference-impl/ztunnel/proxy/outbound
 * Outbound (15001 in the pod's namespace): a captured connection is routed (route.ts) and carried
 * over HBONE, or plain TCP when the destination is not captured. A failed connect retries on the
 * next candidate endpoint (connect retry) and counts toward that endpoint's ejection (outlier
 * detection). Toward a service with an L4 traffic policy, its per-service limits (max connections
 * per source pod, connection rate) are taken before routing and its connect timeout bounds each
 * attempt. Also used by SOCKS5 with an explicit destination.
 */

import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { serviceKey } from '../../api/workload.ts';
import { hboneRequestHeaders } from '../hbone/authority.ts';
import { HboneConnectError } from '../hbone/pool.ts';
import { acceptCaptured } from './accepted.ts';
import { connectTcp } from './connect-tcp.ts';
import type { PodContext, ProxyInputs } from './inputs.ts';
import { pipeBoth } from './pipe.ts';
import { resetSocket } from './reset-socket.ts';
import { planRoutes, type Route } from './route.ts';

/** Handles one captured outbound connection of `pod`. */
export function handleOutbound(inputs: ProxyInputs, pod: PodContext, socket: net.Socket): void {
  const dst = acceptCaptured(inputs, pod, socket, 'outbound');
  if (!dst) return;
  proxyOutbound(inputs, pod, socket, { ip: dst.address, port: dst.port }, 'outbound');
}

/** Connects `socket` (already accepted from `pod`) to `dst` through the mesh. */
export function proxyOutbound(
  inputs: ProxyInputs,
  pod: PodContext,
  socket: Duplex & { remoteAddress?: string; remotePort?: number },
  dst: { ip: string; port: number },
  listener: string,
  onEstablished?: () => void,
  onFailed?: () => void,
): void {
  // Only failures log: the child logger is built then, not for every connection.
  const log = () => inputs.logger.child({ listener, pod: `${pod.namespace}/${pod.name}` });
  const source = inputs.state.workloadByIp(pod.ips[0] ?? '') ?? pod.workload();
  const src = { ip: (socket.remoteAddress ?? '').replace(/^::ffff:/, ''), port: socket.remotePort ?? 0 };
  const slot = pod.limits?.acquire() ?? { ok: true as const, release() {} };
  /** Records a connection that never reached an upstream (metrics + access log) and drops it. */
  const refuse = (
    result: 'overflow' | 'upstream-failed' | 'denied',
    responseFlags: string,
    reset: boolean,
    error?: string,
  ) => {
    inputs.telemetry
      .open({
        reporter: 'source',
        listener,
        source: { ...src, workload: source },
        destination: { ...dst },
        mtls: false,
      })
      .close({ result, responseFlags, error });
    onFailed?.();
    if (reset) resetSocket(socket);
    else socket.destroy();
  };
  if (!slot.ok) {
    log().info('outbound connection refused by limits', { dst, reason: slot.reason });
    refuse('overflow', slot.reason === 'overflow' ? 'UO' : 'RL', true);
    return;
  }
  socket.once('close', () => slot.release());
  const vip = inputs.state.serviceByVip(dst.ip);
  const policy = vip ? inputs.state.trafficPolicy(serviceKey(vip)) : undefined;
  const routes = planRoutes(inputs.state, inputs.health, source, dst, inputs.config.ports.hbone).slice(
    0,
    1 + inputs.config.connectRetries,
  );
  // Toward a service with a waypoint, its DestinationRule limits apply in the waypoint (as in
  // Istio), which answers overflow with HTTP 503s; ztunnel only carries the connection there.
  const viaWaypoint = routes[0]?.kind === 'hbone' && routes[0].viaWaypoint === true;
  const serviceSlot =
    policy && inputs.serviceLimits && !viaWaypoint
      ? inputs.serviceLimits.acquire(pod.uid, policy)
      : undefined;
  if (serviceSlot && !serviceSlot.ok) {
    log().info('outbound connection refused by the service traffic policy', {
      dst,
      service: policy?.service,
      reason: serviceSlot.reason,
    });
    refuse('overflow', serviceSlot.reason === 'overflow' ? 'UO' : 'RL', true);
    return;
  }
  if (serviceSlot) socket.once('close', () => serviceSlot.release());
  const connectTimeoutMs = policy?.connectTimeoutMs ?? inputs.config.connectTimeoutMs;
  if (routes.length === 0) {
    log().warn('no healthy endpoint', { dst });
    refuse('upstream-failed', 'UH', false);
    return;
  }
  const attempt = async (i: number, lastError?: Error): Promise<{ route: Route; upstream: Duplex }> => {
    const route = routes[i];
    if (!route) throw lastError ?? new Error('no route');
    const endpoint = `${route.target.ip}:${route.target.port}`;
    try {
      const upstream =
        route.kind === 'hbone'
          ? await inputs.pool.connect({
              sourceIdentity: pod.identity,
              destinationIdentity: route.destinationIdentity,
              address: route.address,
              authority: route.authority,
              headers: hboneRequestHeaders({
                source: src,
                sourceWorkload: source,
                serviceHostname: route.service?.hostname,
              }),
              timeoutMs: connectTimeoutMs,
            })
          : await connectTcp(
              (ip, port) => pod.dial(ip, port),
              route.target.ip,
              route.target.port,
              connectTimeoutMs,
            );
      inputs.health.success(endpoint);
      return { route, upstream };
    } catch (err) {
      const status = err instanceof HboneConnectError ? err.status : undefined;
      // 401 is a policy answer, not an endpoint failure: no retry, no ejection.
      if (status === 401) throw err;
      inputs.health.failure(endpoint);
      log().info('upstream connect failed', { endpoint, attempt: i + 1, error: (err as Error).message });
      return attempt(i + 1, err as Error);
    }
  };
  attempt(0).then(
    ({ route, upstream }) => {
      const rec = inputs.telemetry.open({
        reporter: 'source',
        listener,
        source: { ...src, workload: source, identity: pod.identity },
        destination: {
          ...route.target,
          workload: route.destinationWorkload,
          identity: route.kind === 'hbone' && !route.viaWaypoint ? route.destinationIdentity : undefined,
        },
        service: route.service
          ? { hostname: route.service.hostname, name: route.service.name, namespace: route.service.namespace }
          : undefined,
        mtls: route.kind === 'hbone',
      });
      onEstablished?.();
      pipeBoth(socket, upstream, {
        onDone: (r) => {
          rec.addReceived(r.bytesUp);
          rec.addSent(r.bytesDown);
          rec.close({ result: 'ok', error: r.error?.message });
        },
      });
    },
    (err: Error) => {
      const denied = err instanceof HboneConnectError && err.status === 401;
      log().warn('outbound connection failed', { dst, error: err.message });
      refuse(denied ? 'denied' : 'upstream-failed', denied ? 'DENY' : 'UF', true, err.message);
    },
  );
}
