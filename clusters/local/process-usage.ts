/**
 * @module clusters/local/process-usage
 * CPU seconds and memory of one container's process (its PID from the kubelet), read from
 * `/proc/<pid>/stat` (utime + stime, and cutime + cstime of reaped children) and `/proc/<pid>/status`
 * (VmRSS, VmHWM = peak RSS, RssAnon). The pod's cgroup counts every container together; this splits out one,
 * e.g. the injected sidecar (`istio-proxy`) for the sidecar-per-pod resource chart. The peak can be
 * reset (`resetProcessPeak`) so that it covers one load window.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ContainerUsage } from '../cluster.ts';

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ; 100 on every Linux architecture in use). */
const USER_HZ = 100;

/** Usage of process `pid`, or undefined when it is gone. */
export function processUsage(pid: number): ContainerUsage | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may contain spaces): state is field 3.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(rest[i] ?? 0), 0);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return {
      cpuSeconds: ticks / USER_HZ,
      memoryBytes: kb('VmRSS') * 1024,
      peakMemoryBytes: kb('VmHWM') * 1024,
      anonymousBytes: kb('RssAnon') * 1024,
    };
  } catch {
    return undefined;
  }
}

/**
 * Resets the peak RSS (VmHWM) of process `pid` to its current RSS (`/proc/<pid>/clear_refs` 5).
 * Returns false when the process is gone.
 */
export function resetProcessPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Usage per running container of a pod, by container name. */
export function containerUsage(
  containers: readonly { name: string; pid?: number; running: boolean }[],
): Record<string, ContainerUsage> {
  const out: Record<string, ContainerUsage> = {};
  for (const c of containers) {
    const u = c.pid && c.running ? processUsage(c.pid) : undefined;
    if (u) out[c.name] = u;
  }
  return out;
}
