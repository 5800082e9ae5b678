/**
 * @module clusters/local/provider
 * The local `ClusterProvider`: `up` checks the host, claims the state dir, records and builds the
 * namespace topology while the daemon starts (in the cluster's `_daemon` cgroup), then tells the
 * daemon to start. A failed `up` rolls everything back. `down` needs no daemon.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MeshbenchError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import type { Cluster, ClusterProvider, ClusterSummary, ClusterUpOptions, DownReport } from '../cluster.ts';
import { callDaemon } from './api-client.ts';
import { cgroupProcsEnv, cgroupShArgs, clusterCgroupRoots, createGroup, groupDirs } from './cgroups.ts';
import { REPO_ROOT } from './images.ts';
import { LocalCluster } from './local-cluster.ts';
import { checkClusterName, clusterPaths, stateRoot } from './naming.ts';
import { preflight } from './preflight.ts';
import { emptyState, readState, StateFile } from './state.ts';
import { clusterNetnsOnHost, teardownCluster } from './teardown.ts';
import { buildTopology } from './topology.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The harness's environment minus what would make the daemon think it runs under a test runner. */
function withoutTestRunnerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  delete out.NODE_TEST_CONTEXT;
  return out;
}

export interface LocalProviderOptions {
  logger?: Logger;
  /** Nodes when `up` is not told (default 2). */
  defaultNodes?: number;
}

async function waitDaemon(socket: string, pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(socket)) {
      try {
        await callDaemon(socket, 'health', {}, 2000);
        return;
      } catch {}
    }
    try {
      process.kill(pid, 0);
    } catch {
      throw new MeshbenchError('E_CLUSTER_DAEMON', 'the cluster daemon exited during start-up');
    }
    if (Date.now() > deadline)
      throw new MeshbenchError('E_TIMEOUT', `the cluster daemon did not answer within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Creates the local provider. */
export function createLocalProvider(options: LocalProviderOptions = {}): ClusterProvider {
  const logger = options.logger ?? silentLogger;

  async function up(o: ClusterUpOptions): Promise<Cluster> {
    checkClusterName(o.name);
    preflight();
    const nodes = o.nodes ?? options.defaultNodes ?? 2;
    if (!Number.isInteger(nodes) || nodes < 1 || nodes > 200) {
      throw new MeshbenchError('E_FLAG', `nodes must be an integer from 1 to 200, got ${nodes}`);
    }
    const paths = clusterPaths(o.name);
    const exists = () =>
      new MeshbenchError('E_CLUSTER_EXISTS', `a local cluster named "${o.name}" already exists`, {
        hint: `use it (connect), or remove it first with \`meshbench cluster down ${o.name}\``,
      });
    if (existsSync(paths.dir) || clusterNetnsOnHost(o.name).length > 0) throw exists();
    mkdirSync(stateRoot(), { recursive: true });
    try {
      mkdirSync(paths.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw exists();
      throw err;
    }
    const total = 4;
    const progress = (step: string, done: number) => o.onProgress?.(step, done, total);
    try {
      const state = new StateFile(paths.stateFile, emptyState(o.name));
      const daemonCg = groupDirs(o.name, '_daemon');
      state.record((s) => {
        s.cgroups.push(...clusterCgroupRoots(o.name), ...daemonCg);
      });
      createGroup(daemonCg);
      mkdirSync(paths.logsDir, { recursive: true });
      mkdirSync(paths.configDir, { recursive: true });
      progress('starting daemon', 0);
      const log = openSync(paths.daemonLog, 'a');
      const daemon = spawn(
        'sh',
        [
          ...cgroupShArgs('mb-daemon'),
          process.execPath,
          '--import',
          'tsx',
          join(REPO_ROOT, 'clusters/local/daemon/main.ts'),
          '--cluster',
          o.name,
        ],
        {
          cwd: REPO_ROOT,
          detached: true,
          stdio: ['ignore', log, log],
          env: {
            ...withoutTestRunnerEnv(process.env),
            ...cgroupProcsEnv(daemonCg),
          },
        },
      );
      closeSync(log);
      daemon.unref();
      state.record((s) => {
        s.daemonPid = daemon.pid;
      });
      progress('building network', 1);
      await buildTopology(state, nodes);
      o.signal?.throwIfAborted();
      state.record((s) => {
        s.topologyReady = true;
      });
      progress('waiting for daemon', 2);
      await waitDaemon(paths.socket, daemon.pid ?? 0, 30_000);
      await callDaemon(paths.socket, 'start', {});
      progress('ready', 4);
      return new LocalCluster(o.name, paths, logger);
    } catch (err) {
      logger.warn('up failed; rolling back', { cluster: o.name, err: String(err) });
      await teardownCluster(o.name, logger).catch(() => undefined);
      throw err;
    }
  }

  async function connect(name: string): Promise<Cluster> {
    checkClusterName(name);
    const paths = clusterPaths(name);
    if (!readState(paths.stateFile)) {
      throw new MeshbenchError('E_CLUSTER_NOT_FOUND', `no local cluster named "${name}"`, {
        hint: `create it with \`meshbench cluster up --name ${name}\``,
      });
    }
    const c = new LocalCluster(name, paths, logger);
    await c.api('health', {}, 5000);
    return c;
  }

  async function down(name: string): Promise<DownReport> {
    checkClusterName(name);
    preflight(['ip']);
    return teardownCluster(name, logger);
  }

  async function list(): Promise<ClusterSummary[]> {
    let names: string[];
    try {
      names = readdirSync(stateRoot());
    } catch {
      return [];
    }
    const out: ClusterSummary[] = [];
    for (const name of names.sort()) {
      const st = readState(clusterPaths(name).stateFile);
      if (!st) continue;
      try {
        const s = await callDaemon<{ nodes: number; pods: number; healthy: boolean }>(
          clusterPaths(name).socket,
          'summary',
          {},
          2000,
        );
        out.push({
          name,
          provider: 'local',
          nodes: s.nodes,
          pods: s.pods,
          healthy: s.healthy,
          createdAt: st.createdAt,
        });
      } catch {
        out.push({
          name,
          provider: 'local',
          nodes: st.nodes.length,
          pods: 0,
          healthy: false,
          createdAt: st.createdAt,
        });
      }
    }
    return out;
  }

  return { name: 'local', up, connect, down, list };
}
