/**
 * @module scripts/cli/cluster-access
 * How commands reach a cluster: through the provider registry (clusters/connect.ts) only, with the
 * provider and cluster name from the global options, and a progress line while connecting.
 */
import type { Cluster, ClusterProvider } from '../../clusters/cluster.ts';
import { connectCluster, getProvider } from '../../clusters/connect.ts';
import type { CliContext } from './context.ts';

/** The provider named by `--provider`. */
export function providerOf(ctx: CliContext): Promise<ClusterProvider> {
  return getProvider(ctx.globals.provider);
}

/** Connects to the cluster named by `--name` on `--provider`. */
export function connectTo(ctx: CliContext): Promise<Cluster> {
  return connectCluster(ctx.globals.provider, ctx.globals.name);
}
