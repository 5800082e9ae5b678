/**
 * @module reference-impl/ztunnel/main
 * `node --import tsx reference-impl/ztunnel/main.ts --node <node> --xds <ip>:15012 --ca-root <file>
 * --token-file <file> --zds-socket <path>`. Runs in the node's network namespace. Binds admin,
 * metrics, readiness and the ZDS socket before serving; ready once the first xDS snapshot arrived.
 */

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { exitOnSignals } from '../../core/shutdown.ts';
import { createCaClient, createXdsClient } from '../control-plane/client/index.ts';
import { startAdminServers } from './admin/admin-server.ts';
import { defaultConfig, type ZtunnelConfig } from './config.ts';
import { createWorkloadStore } from './state/workload-store.ts';
import { syncFromXds, ZTUNNEL_TYPE_URLS } from './state/xds-sync.ts';
import { startZdsServer } from './zds/server.ts';
import { createZtunnel } from './ztunnel.ts';

const { values } = parseArgs({
  options: {
    node: { type: 'string' },
    xds: { type: 'string' },
    'ca-root': { type: 'string' },
    'token-file': { type: 'string' },
    'zds-socket': { type: 'string', default: '/var/run/ztunnel/ztunnel.sock' },
    'trust-domain': { type: 'string', default: 'cluster.local' },
    'server-name': { type: 'string', default: 'istiod.istio-system.svc' },
    'no-dns-proxy': { type: 'boolean', default: false },
    'no-socks5': { type: 'boolean', default: false },
  },
});
const logger = createLogger({ fields: { component: 'ztunnel', node: values.node } });
const missing = (['node', 'xds', 'ca-root', 'token-file'] as const).filter((k) => !values[k]);
if (missing.length) {
  logger.error(`missing flags: ${missing.map((m) => `--${m}`).join(' ')}`);
  process.exit(2);
}

try {
  const rootCertPem = readFileSync(values['ca-root']!, 'utf8');
  const token = readFileSync(values['token-file']!, 'utf8').trim();
  const config: ZtunnelConfig = {
    ...defaultConfig,
    node: values.node!,
    trustDomain: values['trust-domain']!,
    enableDnsProxy: !values['no-dns-proxy'],
    enableSocks5: !values['no-socks5'],
  };
  const xds = createXdsClient({
    address: values.xds!,
    rootCertPem,
    token,
    node: `ztunnel~${config.node}`,
    typeUrls: ZTUNNEL_TYPE_URLS,
    serverName: values['server-name'],
    logger: logger.child({ scope: 'xds' }),
  });
  const ca = createCaClient({ address: values.xds!, rootCertPem, token, serverName: values['server-name'] });
  const store = createWorkloadStore();
  syncFromXds(xds, store);
  let synced = false;
  xds.waitSynced(24 * 3600_000).then(
    () => {
      synced = true;
      logger.info('xds synced', { workloads: xds.workloads.size, services: xds.services.size });
    },
    () => {},
  );
  const ztunnel = createZtunnel({ config, state: store, certificates: ca, logger });
  const admin = await startAdminServers(
    {
      registry: ztunnel.registry,
      configDump: () => ztunnel.configDump(),
      certs: () => ztunnel.certs.list(),
      ready: () => synced,
    },
    config.ports,
  );
  const zds = await startZdsServer(values['zds-socket']!, ztunnel, logger.child({ scope: 'zds' }));
  logger.info('ztunnel started', { zdsSocket: values['zds-socket'], xds: values.xds });
  exitOnSignals([
    () => zds.close(),
    () => ztunnel.close(),
    () => admin.close(),
    () => xds.close(),
    () => ca.close(),
  ]);
} catch (err) {
  logger.error('ztunnel failed to start', { error: describeError(err) });
  process.exit(1);
}
