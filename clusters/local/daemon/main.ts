/**
 * @module clusters/local/daemon/main
 * Entry of the per-cluster daemon: `node --import tsx clusters/local/daemon/main.ts --cluster <name>`.
 * Started detached by `up` (inside the cluster's `_daemon` cgroup); serves the API on
 * `<state>/api.sock`; on `start` it begins running the cluster; on `shutdown` or SIGTERM it stops
 * every pod and exits.
 */
import { rmSync } from 'node:fs';
import { createLogger } from '../../../core/logger.ts';
import { clusterPaths } from '../naming.ts';
import { readState, StateFile } from '../state.ts';
import { routes, serveApi } from './api.ts';
import { LocalDaemon } from './daemon.ts';

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
