/**
 * @module reference-impl/ztunnel/testing/fixtures
 * Test helpers: workloads, policies and an in-process inbound HBONE server on loopback, wired with
 * the real TLS, HTTP/2 and inbound handler (no network namespace needed).
 */
import net from 'node:net';
import { Registry } from 'prom-client';
import { type Logger, silentLogger } from '../../../core/logger.ts';
import type { Authorization, Match, Workload } from '../../api/workload.ts';
import { emptyMatch } from '../../api/workload.ts';
import { defaultConfig, type ZtunnelConfig } from '../config.ts';
import { createHbonePool, type HbonePool } from '../hbone/pool.ts';
import { createHboneServer, type HboneServer } from '../hbone/server.ts';
import { createCertificateManager } from '../identity/certificates.ts';
import { createTestCa, type TestCa } from '../identity/test-ca.ts';
import { createConnectionTracker } from '../proxy/connection-tracker.ts';
import { createEndpointHealth } from '../proxy/endpoint-health.ts';
import { handleInboundConnect } from '../proxy/inbound.ts';
import type { PodContext, ProxyInputs } from '../proxy/inputs.ts';
import { watchPolicies } from '../proxy/policy-watch.ts';
import type { WorkloadStore } from '../state/workload-store.ts';
import { createConnectionTelemetry } from '../telemetry/connection-telemetry.ts';

/** A workload with sensible defaults. */
export function workload(p: Partial<Workload> & { uid: string; addresses: string[] }): Workload {
  return {
    name: p.uid,
    namespace: 'default',
    network: '',
    tunnelProtocol: 'HBONE',
    trustDomain: 'cluster.local',
    serviceAccount: 'default',
    node: 'node-a',
    canonicalName: p.name ?? p.uid,
    canonicalRevision: 'v1',
    workloadType: 'POD',
    workloadName: p.name ?? p.uid,
    services: {},
    authorizationPolicies: [],
    status: 'HEALTHY',
    clusterId: 'Kubernetes',
    ...p,
  };
}

/** An empty Match (matches anything). */
export const anyMatch: Match = emptyMatch();

/** A namespace-scoped policy with one rule of one clause ORing `matches`. */
export function policy(
  name: string,
  namespace: string,
  action: 'ALLOW' | 'DENY',
  matches: Partial<Match>[],
): Authorization {
  return {
    name,
    namespace,
    scope: 'NAMESPACE',
    action,
    dryRun: false,
    rules: [{ clauses: [{ matches: matches.map((m) => ({ ...anyMatch, ...m })) }] }],
  };
}

/** Echo server on 127.0.0.1: writes back what it reads. */
export async function startEcho(host = '127.0.0.1'): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** An inbound HBONE server for a pod at 127.0.0.1 with identity `ns/sa`, on a random port. */
export async function startInbound(options: {
  ca: TestCa;
  store: WorkloadStore;
  namespace: string;
  serviceAccount: string;
  config?: ZtunnelConfig;
  logger?: Logger;
}): Promise<{
  port: number;
  server: HboneServer;
  registry: Registry;
  inputs: ProxyInputs;
  pod: PodContext;
  close(): Promise<void>;
}> {
  const config = options.config ?? defaultConfig;
  const logger = options.logger ?? silentLogger;
  const registry = new Registry();
  const identity = `spiffe://cluster.local/ns/${options.namespace}/sa/${options.serviceAccount}`;
  const certs = createCertificateManager({ fetchCertificate: (id) => options.ca.issue(id) }, logger);
  const telemetry = createConnectionTelemetry(registry, logger);
  const inputs: ProxyInputs = {
    config,
    state: options.store,
    certs,
    pool: undefined as unknown as HbonePool,
    telemetry,
    tracker: createConnectionTracker(),
    health: createEndpointHealth(),
    logger,
  };
  const unwatch = watchPolicies(options.store, inputs.tracker, logger);
  const pod: PodContext = {
    uid: 'dst-pod',
    name: 'dst-pod',
    namespace: options.namespace,
    ips: ['127.0.0.1'],
    serviceAccount: options.serviceAccount,
    identity,
    workload: () =>
      options.store.workloadByIp('127.0.0.1') ??
      workload({ uid: 'dst-pod', addresses: ['127.0.0.1'], namespace: options.namespace }),
    dial: (ip, port) => net.connect(port, ip),
    originalDestination: (s) => ({ address: s.localAddress ?? '', port: s.localPort ?? 0 }),
  };
  const server = createHboneServer({
    certificate: await certs.get(identity),
    trustDomain: 'cluster.local',
    maxConcurrentStreams: config.hbone.serverMaxConcurrentStreams,
    streamWindowBytes: config.hbone.streamWindowBytes,
    connectionWindowBytes: config.hbone.connectionWindowBytes,
    keepalive: { intervalMs: config.hbone.keepaliveIntervalMs, timeoutMs: config.hbone.keepaliveTimeoutMs },
    logger,
    telemetry,
    onConnect: (req) => handleInboundConnect(inputs, pod, req),
  });
  await new Promise<void>((r) => server.server.listen(0, '127.0.0.1', r));
  return {
    port: (server.server.address() as net.AddressInfo).port,
    server,
    registry,
    inputs,
    pod,
    async close() {
      unwatch();
      await server.close();
      certs.close();
    },
  };
}

/**
 * The server side the in-process HBONE tests share: a test CA, an echo server, and an inbound HBONE
 * server for workload `server` (server-ns/server) at 127.0.0.1, which is added to `store`.
 */
export async function startLoopbackServer(
  store: WorkloadStore,
  config?: ZtunnelConfig,
): Promise<{
  ca: TestCa;
  echo: Awaited<ReturnType<typeof startEcho>>;
  inbound: Awaited<ReturnType<typeof startInbound>>;
}> {
  const ca = await createTestCa();
  const echo = await startEcho();
  store.upsertWorkload(
    workload({ uid: 'server', addresses: ['127.0.0.1'], namespace: 'server-ns', serviceAccount: 'server' }),
  );
  const inbound = await startInbound({ ca, store, namespace: 'server-ns', serviceAccount: 'server', config });
  return { ca, echo, inbound };
}

/** A client pool dialing loopback with certificates from `ca`. */
export function loopbackPool(ca: TestCa, options: { maxStreams?: number } = {}): HbonePool {
  const certs = createCertificateManager({ fetchCertificate: (id) => ca.issue(id) }, silentLogger);
  return createHbonePool({
    maxStreamsPerConnection: options.maxStreams ?? 100,
    idleTimeoutMs: 300_000,
    streamWindowBytes: 4 << 20,
    connectionWindowBytes: 16 << 20,
    dial: (ip, port) => net.connect(port, ip),
    certificate: (id) => certs.get(id),
    logger: silentLogger,
  });
}
