/**
 * @module clusters/local/teardown
 * `down`: removes everything a cluster made, from its state file and by sweeping its name prefix,
 * without needing the daemon (which may have been killed). Kills every process in the cluster's
 * cgroups and namespaces (SIGTERM, then SIGKILL after a grace), deletes namespaces, stray links,
 * `/etc/netns` dirs, cgroups and the state directory. Idempotent.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../core/logger.ts';
import type { DownReport } from '../cluster.ts';
import { clusterCgroupRoots, processesIn, removeTree } from './cgroups.ts';
import { clusterPaths, isClusterNetns } from './naming.ts';
import { ipBatch, run } from './run.ts';
import { readState } from './state.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Names in `ip netns list` that belong to `cluster`. */
export function clusterNetnsOnHost(cluster: string): string[] {
  let names: string[];
  try {
    names = readdirSync('/run/netns');
  } catch {
    return [];
  }
  return names.filter((n) => isClusterNetns(cluster, n));
}

/** PIDs whose network namespace is one of `netns` (by inode). */
function pidsInNetns(netns: readonly string[]): number[] {
  const inodes = new Set<string>();
  for (const n of netns) {
    try {
      inodes.add(`net:[${statSync(join('/run/netns', n)).ino}]`);
    } catch {}
  }
  if (inodes.size === 0) return [];
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!(pid > 0) || pid === process.pid) continue;
    try {
      if (inodes.has(readlinkSync(`/proc/${pid}/ns/net`))) out.push(pid);
    } catch {}
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(safeRead(`/proc/${pid}/status`));
  } catch {
    return false;
  }
};
const safeRead = (f: string) => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
};

/** Kills `pids` with SIGTERM, then SIGKILL those still alive after `graceMs`. Returns how many were signalled. */
export async function killAll(collect: () => number[], graceMs: number): Promise<number> {
  const seen = new Set<number>();
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of collect()) {
      if (pid === process.pid) continue;
      seen.add(pid);
      try {
        process.kill(pid, sig);
      } catch {}
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && collect().some(alive)) await sleep(50);
  for (let i = 0; i < 20 && collect().some(alive); i++) {
    signal('SIGKILL');
    await sleep(50);
  }
  return seen.size;
}

/** Removes the cluster; see the module comment. */
export async function teardownCluster(cluster: string, logger: Logger, graceMs = 1000): Promise<DownReport> {
  const paths = clusterPaths(cluster);
  const state = (() => {
    try {
      return readState(paths.stateFile);
    } catch (err) {
      logger.warn('state file unreadable; sweeping by prefix', { err: String(err) });
      return undefined;
    }
  })();
  const cgroupRoots = clusterCgroupRoots(cluster);
  const netns = [...new Set([...(state?.netns ?? []), ...clusterNetnsOnHost(cluster)])].filter((n) =>
    existsSync(join('/run/netns', n)),
  );
  const existed =
    state !== undefined ||
    existsSync(paths.dir) ||
    netns.length > 0 ||
    cgroupRoots.some((r) => existsSync(r));
  const removed = { namespaces: 0, links: 0, cgroups: 0, processes: 0, files: 0 };
  if (!existed) {
    logger.info(`no local cluster named "${cluster}": nothing to remove`);
    return { name: cluster, existed, removed };
  }
  const statePids = [...(state?.pids ?? []), ...(state?.daemonPid ? [state.daemonPid] : [])].filter((pid) => {
    // Only a process that still is ours: its command line names the cluster.
    return safeRead(`/proc/${pid}/cmdline`).includes(cluster);
  });
  // The daemon first (SIGKILL: `down` removes everything it would clean up), so it cannot restart
  // containers while they are being stopped.
  const daemonGroups = cgroupRoots.map((r) => join(r, '_daemon'));
  const daemonPids = () => [...new Set([...daemonGroups.flatMap(processesIn), ...statePids])];
  removed.processes += await killAll(daemonPids, 0);
  removed.processes += await killAll(
    () => [...new Set([...cgroupRoots.flatMap(processesIn), ...pidsInNetns(netns)])],
    graceMs,
  );
  // Links are always created inside our namespaces; remove any that ended up in the root one.
  const rootLinks = (state?.links ?? []).filter(
    (l) => existsSync(`/sys/class/net/${l.name}`) && l.name.startsWith('mb'),
  );
  if (rootLinks.length) {
    await ipBatch(
      rootLinks.map((l) => `link del ${l.name}`),
      undefined,
      true,
    );
    removed.links += rootLinks.length;
  }
  removed.links += state?.links.length ?? 0;
  if (netns.length) {
    await ipBatch(
      netns.map((n) => `netns del ${n}`),
      undefined,
      true,
    );
    removed.namespaces = netns.length;
  }
  for (const n of clusterNetnsOnHost(cluster)) await run('ip', ['netns', 'del', n], { allowFailure: true });
  const etc = new Set([...(state?.etcNetns ?? []), ...netns.map((n) => join('/etc/netns', n))]);
  try {
    for (const n of readdirSync('/etc/netns')) if (isClusterNetns(cluster, n)) etc.add(join('/etc/netns', n));
  } catch {}
  for (const dir of etc) {
    if (existsSync(dir)) {
      rmSync(dir, { recursive: true, force: true });
      removed.files++;
    }
  }
  for (const root of cgroupRoots) removed.cgroups += removeTree(root);
  if (existsSync(paths.dir)) {
    rmSync(paths.dir, { recursive: true, force: true });
    removed.files++;
  }
  logger.info(`removed local cluster "${cluster}"`, removed);
  return { name: cluster, existed, removed };
}
