/**
 * @module clusters/local/daemon/main
 * Entry of the per-cluster daemon: `node --import tsx clusters/local/daemon/main.ts --cluster <name>`.
 * Started detached by `up` (inside the cluster's `_daemon` cgroup); serves the API on
 * `<state>/api.sock`; on `start` it begins running the cluster; on `shutdown` or SIGTERM it stops
 * every pod and exits.
 */
import { rmSync } from 'node:fs';
import { createLogger } from '../../../core/logger.ts';
import type { KubeObject } from '../../cluster.ts';
import { validateObjects } from '../../manifests.ts';
import { clusterPaths } from '../naming.ts';
import { readState, StateFile } from '../state.ts';
import { routes, serveApi } from './api.ts';
import { LocalDaemon } from './daemon.ts';

const template = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
const WARM_UP: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'warm' } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'warm' }, spec: template.spec },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'warm' }, spec: { ports: [{ port: 1 }] } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'warm' },
    spec: { selector: { matchLabels: { a: 'b' } }, template },
  },
];

const idx = process.argv.indexOf('--cluster');
const name = idx > 0 ? process.argv[idx + 1] : undefined;
const logger = createLogger({ format: 'json', fields: { component: 'local-daemon', cluster: name } });
if (!name) {
  logger.error('usage: main.ts --cluster <name>');
  process.exit(2);
}
const paths = clusterPaths(name);
const initial = readState(paths.stateFile);
if (!initial) {
  logger.error('no state file', { file: paths.stateFile });
  process.exit(2);
}
const daemon = new LocalDaemon(name, paths, new StateFile(paths.stateFile, initial), logger);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  try {
    await daemon.shutdown();
  } finally {
    server.close();
    rmSync(paths.socket, { force: true });
    process.exit(0);
  }
};
rmSync(paths.socket, { force: true });
const server = await serveApi(
  paths.socket,
  routes(daemon, {
    onStart: async () => {
      const fresh = readState(paths.stateFile);
      if (fresh) daemon.state.state = fresh;
      daemon.cleanConfigDir();
      await daemon.start();
    },
    onShutdown: () => void stop(),
  }),
  logger,
);
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
logger.info('daemon listening', { socket: paths.socket });
// Load the common schemas while the harness is still building the network.
setImmediate(() => {
  try {
    validateObjects(WARM_UP);
  } catch {}
});
