/**
 * @module reference-impl/ztunnel/ztunnel
 * The node proxy assembled: state and certificates come in through injected interfaces; pods come
 * and go through `addPod` / `removePod` (driven by ZDS); each pod gets its listeners in its own
 * network namespace. A policy or workload change re-authorizes live inbound connections and closes
 * those no longer allowed.
 */
import type net from 'node:net';
import { Registry } from 'prom-client';
import {
  bindUdpIn,
  connectFromNetns,
  listenTcpIn,
  type NetnsHandle,
  openNetns,
  originalDestination,
} from '../../core/linux/netns.ts';
import type { Logger } from '../../core/logger.ts';
import type { Workload } from '../api/workload.ts';
import { spiffeId } from '../api/workload.ts';
import type { ZtunnelConfig } from './config.ts';
import { createHbonePool, type HbonePool } from './hbone/pool.ts';
import {
  type CertificateManager,
  type CertificateSource,
  createCertificateManager,
} from './identity/certificates.ts';
import type { PodDns } from './pod/pod-dns.ts';
import { type PodProxy, type PortBinder, startPodProxy } from './pod/pod-proxy.ts';
import { startPodDns } from './pod/start-pod-dns.ts';
import { createConnectionLimits, createServiceLimits } from './proxy/connection-limits.ts';
import { type ConnectionTracker, createConnectionTracker } from './proxy/connection-tracker.ts';
import { createEndpointHealth } from './proxy/endpoint-health.ts';
import type { PodContext, ProxyInputs } from './proxy/inputs.ts';
import { watchPolicies } from './proxy/policy-watch.ts';
import type { WorkloadState } from './state/workload-store.ts';
import { createConnectionTelemetry } from './telemetry/connection-telemetry.ts';
import type { ZdsPod } from './zds/protocol.ts';

/** How a pod's sockets are made; the default uses its network namespace. */
export interface PodNetworking {
  open(pod: ZdsPod): {
    bind: PortBinder;
    dial(ip: string, port: number): net.Socket;
    /** A connection from `source`, an address the pod does not own (original source). */
    dialFrom?(source: string, ip: string, port: number): net.Socket;
    originalDestination(s: net.Socket): { address: string; port: number };
    /** A bound UDP socket's fd (`host` default 0.0.0.0). */
    bindUdp?(port: number, host?: string): number;
    close(): void;
  };
}

/** Everything ztunnel is built from. */
export interface ZtunnelInputs {
  config: ZtunnelConfig;
  state: WorkloadState;
  certificates: CertificateSource;
  logger: Logger;
  registry?: Registry;
  networking?: PodNetworking;
}

/** A running ztunnel. */
export interface Ztunnel {
  readonly registry: Registry;
  readonly certs: CertificateManager;
  /** Pooled HBONE connections over all pods. */
  poolConnections(): number;
  readonly tracker: ConnectionTracker;
  addPod(pod: ZdsPod): Promise<void>;
  removePod(uid: string): Promise<void>;
  reconcile(keep: Set<string>): Promise<void>;
  pods(): ZdsPod[];
  configDump(): Record<string, unknown>;
  close(): Promise<void>;
}

/** Sockets inside the pod's network namespace, marked 0x539. */
export function netnsNetworking(mark: number): PodNetworking {
  return {
    open(pod) {
      const ns: NetnsHandle = openNetns(pod.netns);
      return {
        bind: (port) => listenTcpIn(ns, '0.0.0.0', port, { mark, reusePort: true }),
        bindUdp: (port, host = '0.0.0.0') => bindUdpIn(ns, host, port, { mark }),
        dial: (ip, port) => connectFromNetns(ns, { host: ip, port, mark }),
        dialFrom: (source, ip, port) =>
          connectFromNetns(ns, { host: ip, port, mark, localAddress: source, transparent: true }),
        originalDestination,
        close: () => ns.close(),
      };
    },
  };
}

/**
 * The workload a proxy assumes for a pod it serves before the control plane has sent one (its own
 * identity and addresses are known from enrolment); the sidecar uses it for its own pod.
 */
export function syntheticWorkload(
  pod: Pick<ZdsPod, 'uid' | 'name' | 'namespace' | 'ips' | 'serviceAccount'>,
  config: Pick<ZtunnelConfig, 'trustDomain' | 'clusterId'>,
  node: string,
): Workload {
  return {
    uid: pod.uid,
    name: pod.name,
    namespace: pod.namespace,
    addresses: pod.ips,
    network: '',
    tunnelProtocol: 'HBONE',
    trustDomain: config.trustDomain,
    serviceAccount: pod.serviceAccount,
    node,
    canonicalName: pod.name,
    canonicalRevision: 'latest',
    workloadType: 'POD',
    workloadName: pod.name,
    services: {},
    authorizationPolicies: [],
    status: 'HEALTHY',
    clusterId: config.clusterId,
  };
}

/** Creates a ztunnel (no pods yet). */
export function createZtunnel(inputs: ZtunnelInputs): Ztunnel {
  const { config, state, logger } = inputs;
  const registry = inputs.registry ?? new Registry();
  const networking = inputs.networking ?? netnsNetworking(config.podMark);
  const certs = createCertificateManager(inputs.certificates, logger.child({ scope: 'certs' }));
  const tracker = createConnectionTracker();
  const telemetry = createConnectionTelemetry(registry, logger, config.clusterId);
  const pods = new Map<
    string,
    { zds: ZdsPod; proxy: PodProxy; dns?: PodDns; close(): void; dial(ip: string, port: number): net.Socket }
  >();
  const identities = new Map<string, string>();
  const pools = new Map<string, HbonePool>();
  const poolFor = (identity: string, dial: (ip: string, port: number) => net.Socket): HbonePool => {
    let p = pools.get(identity);
    if (!p) {
      p = createHbonePool({
        maxStreamsPerConnection: config.hbone.clientMaxStreamsPerConnection,
        idleTimeoutMs: config.hbone.poolIdleTimeoutMs,
        streamWindowBytes: config.hbone.streamWindowBytes,
        connectionWindowBytes: config.hbone.connectionWindowBytes,
        frameSizeBytes: config.hbone.frameSizeBytes,
        certificate: (id) => certs.get(id),
        dial,
        logger,
      });
      pools.set(identity, p);
    }
    return p;
  };
  const health = createEndpointHealth();
  const serviceLimits = createServiceLimits();
  const baseInputs = { config, state, certs, telemetry, tracker, health, serviceLimits, logger };

  const unsubscribe = watchPolicies(state, tracker, logger);

  const removePod = async (uid: string) => {
    const p = pods.get(uid);
    if (!p) return;
    pods.delete(uid);
    pools.get(uid)?.close();
    pools.delete(uid);
    await p.proxy.close();
    p.dns?.close();
    p.close();
    logger.info('pod removed', { pod: `${p.zds.namespace}/${p.zds.name}`, uid });
  };

  return {
    registry,
    certs,
    poolConnections: () => [...pools.values()].reduce((n, p) => n + p.connectionCount(), 0),
    tracker,
    async addPod(zds) {
      const existing = pods.get(zds.uid);
      if (existing && existing.zds.netns === zds.netns && existing.zds.ips.join() === zds.ips.join()) return;
      if (existing) await removePod(zds.uid);
      const net = networking.open(zds);
      const identity = spiffeId(config.trustDomain, zds.namespace, zds.serviceAccount);
      identities.set(zds.uid, identity);
      // One pool per pod: its connections leave from the pod's own namespace.
      const podPool = poolFor(zds.uid, net.dial);
      const pod: PodContext = {
        uid: zds.uid,
        name: zds.name,
        namespace: zds.namespace,
        ips: zds.ips,
        serviceAccount: zds.serviceAccount,
        identity,
        workload: () =>
          state.workloadByUid(zds.uid) ??
          state.workloadByIp(zds.ips[0] ?? '') ??
          syntheticWorkload(zds, config, config.node),
        dial: net.dial,
        dialFrom: net.dialFrom,
        originalDestination: net.originalDestination,
        limits: createConnectionLimits({
          maxConnections: config.limits.maxConnectionsPerPod,
          connectsPerSecond: config.limits.connectsPerSecondPerPod,
          burst: config.limits.burst,
        }),
      };
      const inputsForPod: ProxyInputs = { ...baseInputs, pool: podPool };
      let proxy: PodProxy;
      try {
        proxy = await startPodProxy(inputsForPod, pod, net.bind);
      } catch (err) {
        net.close();
        throw err;
      }
      let dns: PodDns | undefined;
      if (config.enableDnsProxy && net.bindUdp) {
        try {
          dns = startPodDns(inputsForPod, pod, zds.netns, { ...net, bindUdp: net.bindUdp }, config.ports.dns);
        } catch (err) {
          logger.warn('dns proxy not started', { pod: zds.name, error: String(err) });
        }
      }
      pods.set(zds.uid, { zds, proxy, dns, close: net.close, dial: net.dial });
      logger.info('pod added', {
        pod: `${zds.namespace}/${zds.name}`,
        uid: zds.uid,
        ips: zds.ips,
        ports: proxy.ports,
      });
    },
    removePod,
    async reconcile(keep) {
      for (const uid of [...pods.keys()]) if (!keep.has(uid)) await removePod(uid);
    },
    pods: () => [...pods.values()].map((p) => p.zds),
    configDump: () => ({
      node: config.node,
      pods: [...pods.values()].map((p) => ({
        ...p.zds,
        identity: identities.get(p.zds.uid),
        ports: p.proxy.ports,
      })),
      ...state.snapshot(),
      certificates: certs.list().map(({ identity, notAfter }) => ({ identity, notAfter })),
      connections: tracker.size(),
      ejectedEndpoints: health.ejected(),
    }),
    async close() {
      unsubscribe();
      for (const uid of [...pods.keys()]) await removePod(uid);
      for (const p of pools.values()) p.close();
      certs.close();
    },
  };
}
