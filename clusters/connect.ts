/**
 * @module clusters/connect
 * The provider registry: the one place that knows which providers exist. Suites and the CLI get a
 * `ClusterProvider` (and from it a `Cluster`) here, never by importing a provider.
 */
import { MeshbenchError } from '../core/errors.ts';
import type { Cluster, ClusterProvider } from './cluster.ts';

export const PROVIDER_NAMES = ['local', 'kind', 'existing'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Loads a provider by name (lazily, so a missing tool for one provider never breaks another). */
export async function getProvider(name: string = 'local'): Promise<ClusterProvider> {
  switch (name) {
    case 'local':
      return (await import('./local/index.ts')).localProvider;
    case 'kind':
      return (await import('./kind/index.ts')).kindProvider;
    case 'existing':
      return (await import('./existing/index.ts')).existingProvider;
    default:
      throw new MeshbenchError('E_FLAG', `unknown provider "${name}"`, {
        hint: `use one of ${PROVIDER_NAMES.join(', ')}`,
      });
  }
}

/** Connects to a cluster that already exists. */
export async function connectCluster(provider: string, name: string): Promise<Cluster> {
  return (await getProvider(provider)).connect(name);
}
