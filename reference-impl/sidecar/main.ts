/**
 * @module reference-impl/sidecar/main
 * `node --import tsx reference-impl/sidecar/main.ts --xds <ip>:15012 --ca-root <file>
 * (--token-file <file> | --token-dir <dir>)`, run inside the pod's own network namespace and cgroup
 * (the injected `istio-proxy` container). The pod comes from the downward-API environment
 * (POD_NAME, POD_NAMESPACE, POD_IP, SERVICE_ACCOUNT, NODE_NAME, POD_UID). Order, as istio-init plus
 * istio-proxy: install the capture rules (control plane exempt), connect to xDS and the CA, fetch the
 * pod's certificate and bind 15001/15006/15008, then serve admin (127.0.0.1:15000), metrics (:15020)
 * and readiness (:15021), which answers 200 once the first xDS snapshot arrived. The kubelet holds
 * the app containers until then.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { exitOnSignals } from '../../core/shutdown.ts';
import { L7_TYPE_URLS } from '../api/l7.ts';
import { createCaClient, createXdsClient } from '../control-plane/client/index.ts';
import { emptyL7Resources, syncL7FromXds } from '../waypoint/l7-store.ts';
import { startAdminServers } from '../ztunnel/admin/admin-server.ts';
import { createWorkloadStore } from '../ztunnel/state/workload-store.ts';
import { syncFromXds, ZTUNNEL_TYPE_URLS } from '../ztunnel/state/xds-sync.ts';
import { installSidecarCapture } from './capture.ts';
import { sidecarConfig } from './config.ts';
import { createSidecarL7 } from './l7.ts';
import { startSidecar } from './sidecar.ts';

const { values } = parseArgs({
  options: {
    xds: { type: 'string' },
    'ca-root': { type: 'string' },
    'token-file': { type: 'string' },
    /** Directory holding `token-<NODE_NAME>` (the local provider's mesh dir). */
    'token-dir': { type: 'string' },
    'trust-domain': { type: 'string', default: 'cluster.local' },
    'server-name': { type: 'string', default: 'istiod.istio-system.svc' },
    /** Do not install the capture rules (they were installed by someone else). */
    'no-capture': { type: 'boolean', default: false },
  },
});
const env = process.env;
const logger = createLogger({
  fields: { component: 'sidecar', pod: `${env.POD_NAMESPACE ?? '?'}/${env.POD_NAME ?? '?'}` },
});
const missing = [
  ...(['xds', 'ca-root'] as const).filter((k) => !values[k]).map((k) => `--${k}`),
  ...(!values['token-file'] && !values['token-dir'] ? ['--token-file or --token-dir'] : []),
  ...(['POD_NAME', 'POD_NAMESPACE', 'POD_IP', 'NODE_NAME'] as const).filter((k) => !env[k]),
];
if (missing.length) {
  logger.error(`missing flags or environment: ${missing.join(' ')}`);
  process.exit(2);
}

try {
  const rootCertPem = readFileSync(values['ca-root']!, 'utf8');
  const tokenFile = values['token-file'] ?? join(values['token-dir']!, `token-${env.NODE_NAME}`);
  const token = readFileSync(tokenFile, 'utf8').trim();
  const pod = {
    uid: env.POD_UID || `${env.POD_NAMESPACE}/${env.POD_NAME}`,
    name: env.POD_NAME!,
    namespace: env.POD_NAMESPACE!,
    ips: [env.POD_IP!],
    serviceAccount: env.SERVICE_ACCOUNT || 'default',
    node: env.NODE_NAME!,
    netns: '/proc/self/ns/net',
  };
  const config = sidecarConfig({ node: pod.node, trustDomain: values['trust-domain']! });
  // Capture first: a connection opened before the rules (xDS, CA) would be picked up mid-stream by
  // conntrack once they exist, and its next inbound packet redirected to 15006 (reset).
  if (!values['no-capture']) {
    const [ip = '', port = '15012'] = values.xds!.split(':');
    installSidecarCapture('/proc/self/ns/net', { ip, port: Number(port) });
  }
  const xds = createXdsClient({
    address: values.xds!,
    rootCertPem,
    token,
    // Istio's sidecar node id: type~ip~pod.namespace~namespace.svc.cluster.local
    node: `sidecar~${pod.ips[0]}~${pod.name}.${pod.namespace}~${pod.namespace}.svc.cluster.local`,
    serverName: values['server-name'],
    typeUrls: [...ZTUNNEL_TYPE_URLS, ...L7_TYPE_URLS],
    logger: logger.child({ scope: 'xds' }),
  });
  const ca = createCaClient({ address: values.xds!, rootCertPem, token, serverName: values['server-name'] });
  const store = createWorkloadStore();
  syncFromXds(xds, store);
  const resources = emptyL7Resources();
  syncL7FromXds(xds, resources);
  let synced = false;
  const sidecar = await startSidecar({
    config,
    pod,
    state: store,
    certificates: ca,
    logger,
    l7: (inputs, podContext, registry) => createSidecarL7({ inputs, pod: podContext, resources, registry }),
  });
  const admin = await startAdminServers(
    {
      registry: sidecar.registry,
      configDump: () => sidecar.configDump(),
      certs: () => sidecar.certs.list(),
      ready: () => synced,
    },
    config.ports,
  );
  xds.waitSynced(24 * 3600_000).then(
    () => {
      synced = true;
      logger.info('sidecar ready', { workloads: xds.workloads.size, services: xds.services.size });
    },
    () => {},
  );
  exitOnSignals([() => sidecar.close(), () => admin.close(), () => xds.close(), () => ca.close()]);
} catch (err) {
  logger.error('sidecar failed to start', { error: describeError(err) });
  process.exit(1);
}
