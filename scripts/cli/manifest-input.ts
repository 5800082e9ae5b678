/**
 * @module scripts/cli/manifest-input
 * Reads `-f FILE|DIR` for `apply` and `delete` through the shared loader and validator in
 * clusters/manifests.ts, so the CLI rejects exactly what a provider would (a `ValidationError`
 * naming file, object and field) before anything reaches the cluster.
 */
import type { KubeObject } from '../../clusters/cluster.ts';
import { MeshbenchError } from '../../core/errors.ts';

/** What the CLI needs of clusters/manifests.ts. */
interface ManifestsModule {
  loadManifests(fileOrDir: string): Promise<unknown> | unknown;
  validateObjects?(objects: readonly unknown[]): unknown;
}

// Resolved at run time so this file type-checks while clusters/manifests.ts is being written.
const MANIFESTS_MODULE = '../../clusters/manifests.ts';

/** Unwraps the loader's entries, whether bare objects or `{ object, file, ... }` records. */
function toObject(entry: unknown): KubeObject {
  if (entry && typeof entry === 'object' && 'object' in entry && !('apiVersion' in entry)) {
    return (entry as { object: KubeObject }).object;
  }
  return entry as KubeObject;
}

/** Loads and validates every object in a file or directory; throws the first validation error. */
export async function readManifests(fileOrDir: string): Promise<KubeObject[]> {
  let mod: ManifestsModule;
  try {
    mod = (await import(MANIFESTS_MODULE)) as ManifestsModule;
  } catch (cause) {
    throw new MeshbenchError('E_INTERNAL', 'clusters/manifests.ts could not be loaded', { cause });
  }
  const loaded = await mod.loadManifests(fileOrDir);
  const entries = Array.isArray(loaded)
    ? loaded
    : ((loaded as { objects?: unknown[] } | undefined)?.objects ?? []);
  if (mod.validateObjects) {
    const result = await mod.validateObjects(entries);
    if (Array.isArray(result) && result[0] instanceof Error) throw result[0];
    const errors = (result as { errors?: unknown[] } | undefined)?.errors;
    if (Array.isArray(errors) && errors[0] instanceof Error) throw errors[0];
  }
  return entries.map(toObject);
}

/** `Kind/name` or `Kind/namespace/name`, for listings. */
export function objectLabel(o: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return o.metadata.namespace
    ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`
    : `${o.kind}/${o.metadata.name}`;
}
