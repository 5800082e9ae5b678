/**
 * @module suites/conformance/implementations
 * Picks the implementation under test (`MESHBENCH_IMPLEMENTATION`, default `reference`).
 */
import { MeshbenchError } from '../../../core/errors.ts';
import type { ImplementationManifest } from './manifest.ts';
import { referenceManifest } from './reference.ts';

export type { ImplementationInfo, ImplementationManifest } from './manifest.ts';
export { unsupportedReason } from './manifest.ts';

const MANIFESTS: Record<string, ImplementationManifest> = { reference: referenceManifest };

/** The manifest named `name` (default from `MESHBENCH_IMPLEMENTATION`, else `reference`). */
export function implementationManifest(
  name = process.env.MESHBENCH_IMPLEMENTATION || 'reference',
): ImplementationManifest {
  const m = MANIFESTS[name];
  if (!m) {
    throw new MeshbenchError('E_FLAG', `unknown implementation "${name}" in MESHBENCH_IMPLEMENTATION`, {
      hint: `use one of ${Object.keys(MANIFESTS).join(', ')}`,
    });
  }
  return m;
}
