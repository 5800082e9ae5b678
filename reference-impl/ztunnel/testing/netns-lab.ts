/**
 * @module reference-impl/ztunnel/testing/netns-lab
 * Root-only test topology: a bridge namespace and pod namespaces (`mbt-zt-*`) on 198.18.240.0/24,
 * each pod with a veth to the bridge and a default route to its eth0 — all inside namespaces the
 * test creates, never in the root namespace. `destroy` removes everything, also after failures.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' }).toString();

/** A test network. */
export interface NetnsLab {
  readonly bridgeNs: string;
  /** Creates a pod namespace with `address` (/24) on the bridge; returns its name. */
  addPod(name: string, address: string): string;
  /** Starts a process inside a namespace; killed (by PID) on destroy. */
  spawnIn(ns: string, argv: string[]): ChildProcess;
  exec(ns: string, argv: string[], input?: string): string;
  destroy(): void;
}

/** Creates the bridge namespace. `tag` keeps parallel runs apart. */
export function createNetnsLab(tag = `${process.pid}`): NetnsLab {
  const bridgeNs = `mbt-zt-br-${tag}`;
  const namespaces: string[] = [bridgeNs];
  const children: ChildProcess[] = [];
  ip('netns', 'add', bridgeNs);
  ip('-n', bridgeNs, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', bridgeNs, 'link', 'set', 'br0', 'up');
  ip('-n', bridgeNs, 'link', 'set', 'lo', 'up');
  let n = 0;
  return {
    bridgeNs,
    addPod(name, address) {
      const ns = `mbt-zt-${name}-${tag}`;
      ip('netns', 'add', ns);
      namespaces.push(ns);
      n += 1;
      const host = `v${n}`;
      ip('-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', host, 'netns', bridgeNs);
      ip('-n', bridgeNs, 'link', 'set', host, 'master', 'br0');
      ip('-n', bridgeNs, 'link', 'set', host, 'up');
      ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'route', 'add', 'default', 'dev', 'eth0');
      return ns;
    },
    spawnIn(ns, argv) {
      const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
      children.push(child);
      return child;
    },
    exec(ns, argv, input) {
      return execFileSync('ip', ['netns', 'exec', ns, ...argv], { input, stdio: 'pipe' }).toString();
    },
    destroy() {
      for (const c of children) {
        if (c.pid && c.exitCode === null) {
          try {
            process.kill(c.pid, 'SIGKILL');
          } catch {}
        }
      }
      for (const ns of namespaces.reverse()) {
        try {
          ip('netns', 'del', ns);
        } catch {}
      }
    },
  };
}

/** Names of leftover `mbt-zt-` namespaces (for assertions and cleanup). */
export function leftoverNamespaces(tag: string): string[] {
  try {
    return readdirSync('/run/netns').filter((n) => n.startsWith('mbt-zt-') && n.endsWith(`-${tag}`));
  } catch {
    return [];
  }
}
