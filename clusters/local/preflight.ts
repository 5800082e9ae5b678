/**
 * @module clusters/local/preflight
 * Checks, before anything is created, that the local provider can run here: Linux, root, network
 * namespace support, `ip` and `nft` on PATH. Each failure is one typed error with the fix.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { MeshbenchError } from '../../core/errors.ts';

/** The absolute path of `tool` on PATH, or undefined. */
export function which(tool: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    const p = join(dir, tool);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {}
  }
  return undefined;
}

/** Throws E_NOT_LINUX / E_NOT_ROOT / E_KERNEL_FEATURE / E_TOOL_MISSING when the host cannot run a cluster. */
export function preflight(tools: readonly string[] = ['ip', 'nft']): void {
  if (process.platform !== 'linux') {
    throw new MeshbenchError('E_NOT_LINUX', `the local provider needs Linux (this is ${process.platform})`, {
      hint: 'use the kind or existing provider',
    });
  }
  if (process.getuid?.() !== 0) {
    throw new MeshbenchError('E_NOT_ROOT', 'the local provider needs root to create network namespaces', {
      hint: 'run as root, e.g. `sudo -E npm start`',
    });
  }
  if (!existsSync('/proc/self/ns/net')) {
    throw new MeshbenchError('E_KERNEL_FEATURE', 'this kernel has no network namespaces (/proc/self/ns/net)');
  }
  for (const tool of tools) {
    if (!which(tool)) {
      throw new MeshbenchError('E_TOOL_MISSING', `\`${tool}\` is not on PATH`, {
        hint: 'install it: apt-get install iproute2 nftables tcpdump (or run scripts/setup)',
      });
    }
  }
}
