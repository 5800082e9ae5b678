/**
 * @module reference-impl/control-plane/server/serving
 * Assembles what listens on the gRPC port: the CA (root from --ca-dir or generated), a serving
 * certificate for the listen IPs and istiod's names, the resource store, delta ADS and the CA
 * service, all authenticated by node bearer tokens.
 */
import { networkInterfaces } from 'node:os';
import type { Logger } from '../../../core/logger.ts';
import { authenticateNode, type NodeTokens } from '../auth/node-tokens.ts';
import { type CertificateAuthority, createCertificateAuthority } from '../ca/authority.ts';
import { createCaServer } from '../ca/ca-server.ts';
import type { ControlPlaneMetrics } from '../metrics.ts';
import { createDeltaServer, type DeltaServer } from '../xds/delta-server.ts';
import { createResourceStore, type ResourceStore } from '../xds/resource-store.ts';
import { startGrpcServer } from './grpc-server.ts';

/** DNS names the serving certificate always carries. */
export const ISTIOD_DNS_NAMES = [
  'istiod.istio-system.svc',
  'istiod.istio-system.svc.cluster.local',
  'istiod.istio-system',
  'istiod',
  'localhost',
];

export interface ServingOptions {
  host: string;
  port: number;
  trustDomain: string;
  caDir?: string;
  nodeTokens: NodeTokens;
  certTtlSeconds: number;
  identityOnNode: (node: string, namespace: string, serviceAccount: string) => boolean;
  logger: Logger;
  metrics?: ControlPlaneMetrics;
  /** Reuse an existing CA (tests restarting a control plane) instead of creating one. */
  ca?: CertificateAuthority;
  /** Reuse an existing store. */
  store?: ResourceStore;
}

export interface Serving {
  port: number;
  ca: CertificateAuthority;
  store: ResourceStore;
  xds: DeltaServer;
  close(timeoutMs?: number): Promise<void>;
}

/** IPs the serving certificate must carry for `host`: itself, or every local address for 0.0.0.0. */
export function servingIps(host: string): string[] {
  const ips = new Set<string>(['127.0.0.1']);
  if (host === '0.0.0.0' || host === '::') {
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) if (a.family === 'IPv4' || host === '::') ips.add(a.address.split('%')[0]!);
    }
  } else {
    ips.add(host);
  }
  return [...ips];
}

/** Starts the CA and xDS gRPC server. */
export async function startServing(options: ServingOptions): Promise<Serving> {
  const ca =
    options.ca ??
    (await createCertificateAuthority({ trustDomain: options.trustDomain, caDir: options.caDir }));
  const serving = await ca.issueServing(ISTIOD_DNS_NAMES, servingIps(options.host));
  const store = options.store ?? createResourceStore();
  const authenticate = (md: Parameters<typeof authenticateNode>[1]) =>
    authenticateNode(options.nodeTokens, md);
  const xds = createDeltaServer({ store, authenticate, logger: options.logger, metrics: options.metrics });
  const caServer = createCaServer({
    ca,
    authenticate,
    identityOnNode: options.identityOnNode,
    certTtlSeconds: options.certTtlSeconds,
    logger: options.logger,
    metrics: options.metrics,
  });
  const grpc = await startGrpcServer({
    host: options.host,
    port: options.port,
    certPem: serving.certPem,
    keyPem: serving.keyPem,
    rootCertPem: ca.rootCertPem,
    ads: xds.handler,
    ca: caServer.handler,
  });
  return { port: grpc.port, ca, store, xds, close: (t) => grpc.close(t) };
}
