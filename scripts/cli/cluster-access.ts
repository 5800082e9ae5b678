/**
 * @module scripts/cli/cluster-access
 * How commands reach a cluster: through the provider registry (clusters/connect.ts) only, with the
 * provider and cluster name from the global options, and a progress line while connecting.
 */
import type { Cluster, ClusterProvider } from '../../clusters/cluster.ts';
import { getProvider } from '../../clusters/connect.ts';
import type { CliContext } from './context.ts';

/** The provider named by `--provider`. */
export function providerOf(ctx: CliContext): Promise<ClusterProvider> {
  return getProvider(ctx.globals.provider);
}

/** Connects to the cluster named by `--name` on `--provider`. */
export async function connectTo(ctx: CliContext): Promise<Cluster> {
  const provider = await providerOf(ctx);
  return provider.connect(ctx.globals.name);
}
