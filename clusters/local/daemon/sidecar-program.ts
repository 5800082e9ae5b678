/**
 * @module clusters/local/daemon/sidecar-program
 * The injected proxy's "image": a stable entry path in the mesh dir (`<mesh>/bin/sidecar.mjs`), a
 * symlink to the esbuild bundle of reference-impl/sidecar/main.ts built from the current sources
 * (`../node-bundle.ts`, as the node proxies run), refreshed before the kubelet starts new pods that
 * carry it. Node.js resolves the bundle's imports from its real path in the repository. If bundling
 * fails, the entry points at `tsx-entry.mjs` (the same program through the tsx loader), so pods
 * still start, with tsx's memory cost.
 */
import { mkdir, rename, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../../../core/logger.ts';
import type { KubeObject } from '../../cluster.ts';
import { REPO_ROOT } from '../images.ts';
import { bundleEntries } from '../node-bundle.ts';
import type { PodSpec } from './kubelet.ts';

export const SIDECAR_PROGRAM = 'reference-impl/sidecar/main.ts';
const TSX_ENTRY = join(REPO_ROOT, 'reference-impl/sidecar/tsx-entry.mjs');

/** The path the injected container runs. */
export function sidecarEntry(meshDir: string): string {
  return join(meshDir, 'bin', 'sidecar.mjs');
}

async function pointAt(entry: string, target: string): Promise<void> {
  await mkdir(dirname(entry), { recursive: true });
  const tmp = `${entry}.${process.pid}.tmp`;
  await rm(tmp, { force: true });
  await symlink(target, tmp);
  await rename(tmp, entry);
}

/** Rebuilds the bundle and repoints the entry when one of `pods` runs it. Never throws. */
export async function prepareSidecarProgram(
  pods: readonly KubeObject[],
  meshDir: string,
  logger: Logger,
): Promise<void> {
  const entry = sidecarEntry(meshDir);
  const uses = pods.some((p) =>
    ((p.spec as PodSpec | undefined)?.containers ?? []).some((c) => c.command?.includes(entry)),
  );
  if (!uses) return;
  try {
    const { sidecar } = await bundleEntries({ sidecar: SIDECAR_PROGRAM });
    await pointAt(entry, sidecar!);
  } catch (err) {
    logger.error('sidecar bundle failed; injected proxies run through tsx', { error: String(err) });
    await pointAt(entry, TSX_ENTRY).catch(() => {});
  }
}
