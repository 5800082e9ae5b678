/**
 * @module suites/conformance/topology
 * The topologies rows share: a client and a server namespace (each enrolled per the mode and role,
 * or not at all for a negative control), optionally a second client, with the echo app everywhere;
 * and the metrics the mesh proxies report after one TCP exchange between two of them.
 */
import type { PodInfo } from '../../clusters/cluster.ts';
import { call } from '../fixtures/call.ts';
import type { EchoWorkloadOptions } from '../fixtures/echo-workload.ts';
import type { MetricSample } from '../fixtures/metrics.ts';
import type { EchoApp } from '../fixtures/scenario.ts';
import type { RowContext } from './row-context.ts';

/** Options of `clientServer`. */
export interface ClientServerOptions {
  /** Enrol the client namespace (default true). */
  enrolClient?: boolean;
  /** Enrol the server namespace (default true). */
  enrolServer?: boolean;
  /** Server replicas (default 1). */
  replicas?: number;
  /** Extra server workload options. */
  server?: Partial<EchoWorkloadOptions>;
  /** Also deploy a second client (`other`) in its own namespace, enrolled like the first. */
  otherClient?: boolean;
}

/** What `clientServer` deployed. */
export interface ClientServer {
  client: EchoApp;
  server: EchoApp;
  other?: EchoApp;
}

/** Deploys client(s) and server in their own namespaces and waits for all of them at once. */
export async function clientServer(
  ctx: RowContext,
  options: ClientServerOptions = {},
): Promise<ClientServer> {
  const s = ctx.scenario;
  const [clientNs, serverNs, otherNs] = await Promise.all([
    s.namespace('client', { role: 'client', enrol: options.enrolClient ?? true }),
    s.namespace('server', { role: 'server', enrol: options.enrolServer ?? true }),
    options.otherClient
      ? s.namespace('other', { role: 'client', enrol: options.enrolClient ?? true })
      : undefined,
  ]);
  const list: EchoWorkloadOptions[] = [
    { namespace: clientNs, name: 'client', service: false },
    { namespace: serverNs, name: 'echo', replicas: options.replicas ?? 1, ...options.server },
  ];
  if (otherNs) list.push({ namespace: otherNs, name: 'client', service: false });
  const [client, server, other] = await s.echoes(list);
  return { client: client!, server: server!, ...(other ? { other } : {}) };
}

/**
 * Sends `body` from `from` to `to` over a new TCP connection, then scrapes the mesh proxies
 * (`ctx.meshMetrics`, plus `pods`): a probe for rows that read Istio's TCP metrics.
 */
export async function metricsAfterTcpCall(
  ctx: RowContext,
  from: EchoApp,
  to: EchoApp,
  body: string,
  pods: readonly PodInfo[] = [],
): Promise<MetricSample[]> {
  await call(ctx.cluster, from.pod, {
    to: to.address,
    scheme: 'tcp',
    body,
    newConnectionPerRequest: true,
  });
  return ctx.meshMetrics(pods);
}
