/**
 * @module reference-impl/waypoint/tcp-proxy
 * The waypoint's TCP path, for tunnels that do not carry HTTP (a `tcp` port, a server-first
 * protocol, bytes that are not a request): VirtualService `tcp` routes by weight (the control
 * plane's `meshbench.l4.TrafficPolicy`, subsets resolved to workloads), DestinationRule
 * `maxConnections` (overflow closed at once) and connect timeout, a second connect attempt on another
 * endpoint with failed endpoints ejected, then bytes copied both ways. Authorization policies bound
 * to the service are checked first with the connection's L4 facts (principal, namespace, IP, port).
 */
import type { Duplex } from 'node:stream';
import type { Logger } from '../../core/logger.ts';
import type { L4TrafficPolicy } from '../api/l4.ts';
import type { L7AuthorizationPolicy } from '../api/l7.ts';
import type { Service, Workload } from '../api/workload.ts';
import { serviceKey } from '../api/workload.ts';
import { createServiceLimits } from '../ztunnel/proxy/connection-limits.ts';
import { createEndpointHealth } from '../ztunnel/proxy/endpoint-health.ts';
import type { WorkloadState } from '../ztunnel/state/workload-store.ts';
import { authorizeRequest } from './authz.ts';
import type { L7Request, L7Source } from './l7-request.ts';
import { pickWeighted } from './route-match.ts';
import type { UpstreamTarget } from './upstream.ts';

/** Opens the upstream byte stream for one TCP connection (`source` = the original client). */
export type TcpDialer = (target: UpstreamTarget, source: { ip?: string }) => Promise<Duplex>;

/** The TCP proxy of a waypoint. */
export function createTcpProxy(o: {
  state: WorkloadState;
  l4(serviceKey: string): L4TrafficPolicy | undefined;
  /** Authorization policies bound to the service (L4 attributes apply to TCP). */
  policies(serviceKey: string): readonly L7AuthorizationPolicy[];
  dial: TcpDialer;
  logger: Logger;
  connectAttempts?: number;
  defaultConnectTimeoutMs?: number;
}) {
  const limits = createServiceLimits();
  const health = createEndpointHealth();
  const attempts = o.connectAttempts ?? 2;

  /** Candidate endpoints for `svc:port`, after the L4 route, healthy first. */
  const candidates = (svc: Service, port: number, rand: number): UpstreamTarget[] => {
    const policy = o.l4(serviceKey(svc));
    const route = policy?.routes.find((r) => r.ports.length === 0 || r.ports.includes(port));
    const backend = route ? pickWeighted(route.backends, rand) : undefined;
    const target = (backend && o.state.serviceByKey(backend.service)) || svc;
    const targetPort = backend?.port ?? port;
    const key = serviceKey(target);
    const only = backend?.workloads ? new Set(backend.workloads) : undefined;
    const endpoints = o.state
      .endpointsOf(target)
      .filter((w: Workload) => w.status === 'HEALTHY' && w.addresses[0] && (!only || only.has(w.uid)));
    const out = endpoints.map((w) => {
      const p = w.services[key]?.find((x) => x.servicePort === targetPort);
      const sp = target.ports.find((x) => x.servicePort === targetPort);
      return {
        workload: w,
        ip: w.addresses[0]!,
        port: p?.targetPort || sp?.targetPort || targetPort,
        service: target,
      };
    });
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    const k = (t: UpstreamTarget) => `${t.ip}:${t.port}`;
    return [...out.filter((t) => !health.isEjected(k(t))), ...out.filter((t) => health.isEjected(k(t)))];
  };

  return {
    /** Proxies `downstream` (already answered 200) to the service behind `destination`. */
    async handle(
      downstream: Duplex,
      destination: { ip: string; port: number },
      source: L7Source & { uid?: string },
    ): Promise<void> {
      const svc = o.state.serviceByVip(destination.ip);
      const pod = svc ? undefined : o.state.workloadByIp(destination.ip);
      if (svc) {
        // A TCP connection has only L4 attributes: rules on methods, paths or headers never match it.
        const facts: L7Request = {
          method: '',
          path: '',
          authority: '',
          headers: {},
          port: destination.port,
          source,
        };
        const authz = authorizeRequest(o.policies(serviceKey(svc)), facts);
        if (!authz.allowed) {
          o.logger.info('tcp connection denied', {
            policy: authz.policy ?? '-',
            reason: authz.reason,
            principal: source.principal,
          });
          downstream.destroy();
          return;
        }
      }
      const policy = svc ? o.l4(serviceKey(svc)) : undefined;
      const slot = policy
        ? limits.acquire(source.uid ?? source.ip ?? '', policy)
        : { ok: true as const, release() {} };
      if (!slot.ok) {
        o.logger.info('tcp connection refused', {
          reason: slot.reason,
          destination: `${destination.ip}:${destination.port}`,
        });
        downstream.destroy();
        return;
      }
      downstream.once('close', () => slot.release());
      const list: UpstreamTarget[] = svc
        ? candidates(svc, destination.port, Math.random())
        : pod
          ? [{ workload: pod, ip: destination.ip, port: destination.port }]
          : [];
      const timeoutMs = policy?.connectTimeoutMs ?? o.defaultConnectTimeoutMs ?? 10_000;
      for (const target of list.slice(0, attempts)) {
        const key = `${target.ip}:${target.port}`;
        try {
          const upstream = await Promise.race([
            o.dial(target, source),
            new Promise<never>((_, reject) =>
              setTimeout(() => reject(new Error(`connect timeout ${timeoutMs} ms`)), timeoutMs).unref(),
            ),
          ]);
          health.success(key);
          if (downstream.destroyed) {
            upstream.destroy();
            return;
          }
          downstream.pipe(upstream);
          upstream.pipe(downstream);
          upstream.on('error', () => downstream.destroy());
          downstream.on('error', () => upstream.destroy());
          downstream.once('close', () => upstream.destroy());
          upstream.once('close', () => downstream.destroy());
          return;
        } catch (err) {
          health.failure(key);
          o.logger.info('tcp upstream connect failed', { endpoint: key, error: String(err) });
        }
      }
      downstream.destroy();
    },
  };
}
