/**
 * @module scripts/cli/manifest-input
 * Reads `-f FILE|DIR` for `apply` and `delete` through the shared loader of clusters/manifests.ts,
 * which validates every object, so the CLI rejects exactly what a provider would (a
 * `ValidationError` naming file, object and field) before anything reaches the cluster.
 */
import { existsSync } from 'node:fs';
import type { KubeObject } from '../../clusters/cluster.ts';
import { loadManifests } from '../../clusters/manifests.ts';
import { ValidationError } from '../../core/errors.ts';

/** Loads and validates every object in a file or directory. */
export function readManifests(fileOrDir: string): KubeObject[] {
  if (!existsSync(fileOrDir)) {
    throw new ValidationError('E_FLAG', { file: fileOrDir }, 'no such file or directory', {
      hint: 'pass -f with a YAML file or a directory of them',
    });
  }
  const objects = loadManifests(fileOrDir);
  if (objects.length === 0) {
    throw new ValidationError('E_MANIFEST_YAML', { file: fileOrDir }, 'no Kubernetes objects found');
  }
  return objects;
}

/** `Kind/name` or `Kind/namespace/name`, for listings. */
export function objectLabel(o: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return o.metadata.namespace
    ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`
    : `${o.kind}/${o.metadata.name}`;
}
