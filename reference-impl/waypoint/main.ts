/**
 * @module reference-impl/waypoint/main
 * `node --import tsx reference-impl/waypoint/main.ts --xds <ip>:15012 --ca-root <file>
 * (--token-file <file> | --token-dir <dir>)`. Runs in the waypoint pod's own network namespace (as
 * its Deployment's container). Identity: the pod's namespace and service account (flags, else the
 * `POD_NAMESPACE` / `SERVICE_ACCOUNT` env); `--token-dir` reads `token-$NODE_NAME` (the node's
 * bootstrap token, which the CA accepts for pods on that node). Serves HBONE on 15008, metrics on
 * :15020 (`/stats/prometheus`), readiness on :15021, admin on 127.0.0.1:15000; ready once the
 * first xDS snapshot arrived and the certificate was issued. Access-log lines (one per request) go to
 * stderr batched and asynchronously (`batched-log-stream.ts`), not through the synchronous
 * `process.stderr` the other log lines use.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { exitOnSignals } from '../../core/shutdown.ts';
import { type L4TrafficPolicy, TYPE_URL_L4_TRAFFIC_POLICY } from '../api/l4.ts';
import { L7_TYPE_URLS } from '../api/l7.ts';
import { spiffeId, TYPE_URL_ADDRESS, TYPE_URL_AUTHORIZATION } from '../api/workload.ts';
import { createCaClient, createXdsClient } from '../control-plane/client/index.ts';
import { startAdminServers } from '../ztunnel/admin/admin-server.ts';
import { defaultConfig } from '../ztunnel/config.ts';
import { createWorkloadStore } from '../ztunnel/state/workload-store.ts';
import { syncFromXds } from '../ztunnel/state/xds-sync.ts';
import { createBatchedLogStream } from './batched-log-stream.ts';
import { emptyL7Resources, syncL7FromXds, syncMapFromXds } from './l7-store.ts';
import { startWaypoint, type Waypoint } from './waypoint.ts';

const { values } = parseArgs({
  options: {
    xds: { type: 'string' },
    'ca-root': { type: 'string' },
    'token-file': { type: 'string' },
    'token-dir': { type: 'string' },
    namespace: { type: 'string', default: process.env.POD_NAMESPACE ?? '' },
    'service-account': { type: 'string', default: process.env.SERVICE_ACCOUNT ?? '' },
    'pod-ip': { type: 'string', default: process.env.INSTANCE_IP ?? process.env.POD_IP ?? '' },
    'pod-name': { type: 'string', default: process.env.POD_NAME ?? 'waypoint' },
    node: { type: 'string', default: process.env.NODE_NAME ?? '' },
    'trust-domain': { type: 'string', default: 'cluster.local' },
    'server-name': { type: 'string', default: 'istiod.istio-system.svc' },
  },
});
const logFields = { component: 'waypoint', pod: `${values.namespace}/${values['pod-name']}` };
const logger = createLogger({ fields: logFields });
const accessLogger = createLogger({
  fields: logFields,
  stream: createBatchedLogStream(),
});
const missing = (['xds', 'ca-root', 'namespace', 'service-account', 'pod-ip'] as const).filter(
  (k) => !values[k],
);
if (!values['token-file'] && !(values['token-dir'] && values.node)) missing.push('token-file' as never);
if (missing.length) {
  logger.error(`missing flags: ${missing.map((m) => `--${m}`).join(' ')} (or --token-dir with NODE_NAME)`);
  process.exit(2);
}

try {
  const rootCertPem = readFileSync(values['ca-root']!, 'utf8');
  const tokenFile = values['token-file'] ?? join(values['token-dir']!, `token-${values.node}`);
  const token = readFileSync(tokenFile, 'utf8').trim();
  const xds = createXdsClient({
    address: values.xds!,
    rootCertPem,
    token,
    node: `waypoint~${values['pod-ip']}~${values['pod-name']}.${values.namespace}~${values.namespace}.svc.cluster.local`,
    serverName: values['server-name'],
    typeUrls: [TYPE_URL_ADDRESS, TYPE_URL_AUTHORIZATION, ...L7_TYPE_URLS, TYPE_URL_L4_TRAFFIC_POLICY],
    logger: logger.child({ scope: 'xds' }),
  });
  const ca = createCaClient({ address: values.xds!, rootCertPem, token, serverName: values['server-name'] });
  const store = createWorkloadStore();
  syncFromXds(xds, store);
  const l7 = emptyL7Resources();
  syncL7FromXds(xds, l7);
  const l4 = new Map<string, L4TrafficPolicy>();
  syncMapFromXds(xds, TYPE_URL_L4_TRAFFIC_POLICY, l4);
  let synced = false;
  let waypoint: Waypoint | undefined;
  xds.waitSynced(24 * 3600_000).then(
    () => {
      synced = true;
      logger.info('xds synced', { workloads: xds.workloads.size, services: xds.services.size });
    },
    () => {},
  );
  const admin = await startAdminServers(
    {
      registry: {
        metrics: async () => (waypoint ? waypoint.registry.metrics() : ''),
        contentType: 'text/plain; version=0.0.4; charset=utf-8',
      } as never,
      configDump: () => waypoint?.configDump() ?? {},
      certs: () => [],
      ready: () => synced && waypoint !== undefined,
    },
    {
      admin: defaultConfig.ports.admin,
      metrics: defaultConfig.ports.metrics,
      readiness: defaultConfig.ports.readiness,
    },
  );
  // The CA knows this pod only once the control plane saw it: retry until it issues the certificate.
  const identity = spiffeId(values['trust-domain']!, values.namespace!, values['service-account']!);
  for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
    try {
      await ca.fetchCertificate(identity);
      break;
    } catch (err) {
      logger.warn('certificate not issued yet, retrying', { error: describeError(err), retryMs: delay });
      await new Promise((r) => setTimeout(r, delay));
    }
  }
  waypoint = await startWaypoint({
    namespace: values.namespace!,
    serviceAccount: values['service-account']!,
    trustDomain: values['trust-domain']!,
    podIp: values['pod-ip']!,
    state: store,
    l7,
    l4,
    certificates: ca,
    logger,
    accessLogger,
  });
  exitOnSignals([() => waypoint?.close(), () => admin.close(), () => xds.close(), () => ca.close()]);
} catch (err) {
  logger.error('waypoint failed to start', { error: describeError(err) });
  process.exit(1);
}
