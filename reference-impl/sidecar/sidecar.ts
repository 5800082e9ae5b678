/**
 * @module reference-impl/sidecar/sidecar
 * The per-pod proxy assembled: one pod (its own), one identity (its own), the ztunnel's L4 pieces
 * (HBONE pool and server, routing, L4 authorization, connection telemetry) and an optional L7 hook
 * for HTTP. Sockets live in the pod's network namespace and carry mark 0x539, so the pod's capture
 * rules let the proxy's own traffic through.
 */
import { Registry } from 'prom-client';
import { connectFromNetns, listenTcpIn, openNetns, originalDestination } from '../../core/linux/netns.ts';
import type { Logger } from '../../core/logger.ts';
import { spiffeId } from '../api/workload.ts';
import type { ZtunnelConfig } from '../ztunnel/config.ts';
import { createHbonePool } from '../ztunnel/hbone/pool.ts';
import {
  type CertificateManager,
  type CertificateSource,
  createCertificateManager,
} from '../ztunnel/identity/certificates.ts';
import { type L7Hook, type PodProxy, startPodProxy } from '../ztunnel/pod/pod-proxy.ts';
import { createConnectionLimits } from '../ztunnel/proxy/connection-limits.ts';
import { createConnectionTracker } from '../ztunnel/proxy/connection-tracker.ts';
import { createEndpointHealth } from '../ztunnel/proxy/endpoint-health.ts';
import type { PodContext, ProxyInputs } from '../ztunnel/proxy/inputs.ts';
import { watchPolicies } from '../ztunnel/proxy/policy-watch.ts';
import type { WorkloadState } from '../ztunnel/state/workload-store.ts';
import { createConnectionTelemetry } from '../ztunnel/telemetry/connection-telemetry.ts';
import { syntheticWorkload } from '../ztunnel/ztunnel.ts';

/** The pod the sidecar serves (from the downward API: POD_NAME, POD_NAMESPACE, POD_IP, ...). */
export interface SidecarPod {
  uid: string;
  name: string;
  namespace: string;
  ips: string[];
  serviceAccount: string;
  node: string;
  /** Network namespace path (`/proc/self/ns/net` when the sidecar runs inside the pod). */
  netns: string;
}

/** Everything a sidecar is built from. */
export interface SidecarInputs {
  config: ZtunnelConfig;
  pod: SidecarPod;
  state: WorkloadState;
  certificates: CertificateSource;
  logger: Logger;
  registry?: Registry;
  /** Builds the L7 hook once the proxy inputs exist (HTTP through the L7 engine); none = L4 only. */
  l7?: (
    inputs: ProxyInputs,
    pod: PodContext,
    registry: Registry,
  ) => (L7Hook & { close?(): void }) | undefined;
}

/** A running sidecar. */
export interface Sidecar {
  readonly registry: Registry;
  readonly certs: CertificateManager;
  readonly identity: string;
  readonly ports: number[];
  /** Pooled HBONE connections. */
  poolConnections(): number;
  configDump(): Record<string, unknown>;
  close(): Promise<void>;
}

/** Starts a sidecar: fetches the pod's certificate, binds the listeners, serves. */
export async function startSidecar(inputs: SidecarInputs): Promise<Sidecar> {
  const { config, pod: p, state, logger } = inputs;
  const registry = inputs.registry ?? new Registry();
  const certs = createCertificateManager(inputs.certificates, logger.child({ scope: 'certs' }));
  const tracker = createConnectionTracker();
  const telemetry = createConnectionTelemetry(registry, logger, config.clusterId);
  const ns = openNetns(p.netns);
  const dial = (ip: string, port: number) => connectFromNetns(ns, { host: ip, port, mark: config.podMark });
  const identity = spiffeId(config.trustDomain, p.namespace, p.serviceAccount);
  const pool = createHbonePool({
    maxStreamsPerConnection: config.hbone.clientMaxStreamsPerConnection,
    idleTimeoutMs: config.hbone.poolIdleTimeoutMs,
    streamWindowBytes: config.hbone.streamWindowBytes,
    connectionWindowBytes: config.hbone.connectionWindowBytes,
    frameSizeBytes: config.hbone.frameSizeBytes,
    certificate: (id) => certs.get(id),
    dial,
    logger,
  });
  const health = createEndpointHealth();
  const proxyInputs: ProxyInputs = { config, state, certs, pool, telemetry, tracker, health, logger };
  const synthetic = syntheticWorkload(p, config, p.node);
  const pod: PodContext = {
    uid: p.uid,
    name: p.name,
    namespace: p.namespace,
    ips: p.ips,
    serviceAccount: p.serviceAccount,
    identity,
    workload: () => state.workloadByIp(p.ips[0] ?? '') ?? synthetic,
    dial,
    originalDestination,
    limits: createConnectionLimits({
      maxConnections: config.limits.maxConnectionsPerPod,
      connectsPerSecond: config.limits.connectsPerSecondPerPod,
      burst: config.limits.burst,
    }),
  };
  const unwatch = watchPolicies(state, tracker, logger);
  const hook = inputs.l7?.(proxyInputs, pod, registry);
  let listeners: PodProxy;
  try {
    listeners = await startPodProxy(
      proxyInputs,
      pod,
      (port) => listenTcpIn(ns, '0.0.0.0', port, { mark: config.podMark, reusePort: true }),
      () => hook,
    );
  } catch (err) {
    unwatch();
    hook?.close?.();
    pool.close();
    certs.close();
    ns.close();
    throw err;
  }
  logger.info('sidecar started', { pod: `${p.namespace}/${p.name}`, identity, ports: listeners.ports });
  return {
    registry,
    certs,
    identity,
    ports: listeners.ports,
    poolConnections: () => pool.connectionCount(),
    configDump: () => ({
      pod: { ...p, identity },
      ports: listeners.ports,
      l7: hook !== undefined,
      ...state.snapshot(),
      certificates: certs.list().map(({ identity: id, notAfter }) => ({ identity: id, notAfter })),
      connections: tracker.size(),
      ejectedEndpoints: health.ejected(),
    }),
    async close() {
      unwatch();
      await listeners.close();
      hook?.close?.();
      pool.close();
      certs.close();
      ns.close();
    },
  };
}
