/**
 * @module clusters/local/cgroups
 * Per-pod cgroups under `meshbench/<cluster>/<pod>`, on cgroup v1 (cpuacct, memory, pids mounted
 * separately) or v2 (unified). Creates, reads usage, lists member processes, removes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PodUsage } from '../cluster.ts';

const ROOT = '/sys/fs/cgroup';
const V1_CONTROLLERS = ['cpuacct', 'memory', 'pids'] as const;

/** True when the unified hierarchy (v2) is mounted at /sys/fs/cgroup. */
export const isCgroupV2 = (): boolean => existsSync(join(ROOT, 'cgroup.controllers'));

/** The cluster's top cgroup directories (one per controller on v1). */
export function clusterCgroupRoots(cluster: string): string[] {
  if (isCgroupV2()) return [join(ROOT, 'meshbench', cluster)];
  return V1_CONTROLLERS.filter((c) => existsSync(join(ROOT, c))).map((c) =>
    join(ROOT, c, 'meshbench', cluster),
  );
}

/** The directories of one group (e.g. a pod, `_daemon`) inside the cluster. */
export function groupDirs(cluster: string, group: string): string[] {
  return clusterCgroupRoots(cluster).map((r) => join(r, group));
}

/**
 * The start of `sh` arguments that move the shell into the cgroups named in the child's env by
 * `cgroupProcsEnv`, then exec the arguments that follow: the process is accounted before its
 * first instruction. `label` is the shell's `$0`.
 */
export function cgroupShArgs(label: string): string[] {
  return [
    '-c',
    'for f in $MB_CGROUP_PROCS; do echo $$ > "$f"; done; unset MB_CGROUP_PROCS; exec "$@"',
    label,
  ];
}

/** The env entry `cgroupShArgs` reads: the `cgroup.procs` files of `dirs`. */
export function cgroupProcsEnv(dirs: readonly string[]): { MB_CGROUP_PROCS: string } {
  return { MB_CGROUP_PROCS: dirs.map((d) => join(d, 'cgroup.procs')).join(' ') };
}

function enableV2Controllers(dir: string): void {
  try {
    writeFileSync(join(dir, 'cgroup.subtree_control'), '+cpu +memory +pids');
  } catch {
    // Some controllers may be unavailable; usage then reads what exists.
  }
}

/** Creates the group's directories (and parents); v2 enables cpu/memory/pids down the path. */
export function createGroup(dirs: readonly string[]): void {
  for (const dir of dirs) {
    mkdirSync(dir, { recursive: true });
    if (isCgroupV2()) {
      const parts = dir.slice(ROOT.length + 1).split('/');
      let p = ROOT;
      for (const part of parts.slice(0, -1)) {
        p = join(p, part);
        enableV2Controllers(p);
      }
    }
  }
}

/** Every PID in the directory tree. */
export function processesIn(dir: string): number[] {
  const out = new Set<number>();
  const walk = (d: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      for (const line of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) {
        const pid = Number(line);
        if (pid > 0) out.add(pid);
      }
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) walk(join(d, e.name));
  };
  walk(dir);
  return [...out];
}

/** Removes the directory tree, deepest first; returns how many directories were removed. */
export function removeTree(dir: string): number {
  let n = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) if (e.isDirectory()) n += removeTree(join(dir, e.name));
  try {
    rmdirSync(dir);
    n++;
  } catch {
    // busy (a process still inside) or already gone
  }
  return n;
}

const readNum = (file: string): number | undefined => {
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
};

/** CPU seconds and memory of a group. */
export function groupUsage(dirs: readonly string[]): PodUsage {
  const sampledAt = new Date().toISOString();
  if (isCgroupV2()) {
    const dir = dirs[0] ?? '';
    let usec = 0;
    try {
      const m = /usage_usec (\d+)/.exec(readFileSync(join(dir, 'cpu.stat'), 'utf8'));
      usec = Number(m?.[1] ?? 0);
    } catch {}
    const mem = readNum(join(dir, 'memory.current')) ?? 0;
    return {
      cpuSeconds: usec / 1e6,
      memoryBytes: mem,
      peakMemoryBytes: readNum(join(dir, 'memory.peak')) ?? mem,
      sampledAt,
    };
  }
  const cpu = dirs.find((d) => d.includes('/cpuacct/'));
  const mem = dirs.find((d) => d.includes('/memory/'));
  const memoryBytes = (mem && readNum(join(mem, 'memory.usage_in_bytes'))) || 0;
  return {
    cpuSeconds: ((cpu && readNum(join(cpu, 'cpuacct.usage'))) || 0) / 1e9,
    memoryBytes,
    peakMemoryBytes: (mem && readNum(join(mem, 'memory.max_usage_in_bytes'))) || memoryBytes,
    sampledAt,
  };
}
