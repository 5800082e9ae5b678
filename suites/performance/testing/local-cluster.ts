/**
 * @module suites/performance/testing/local-cluster
 * For the performance suites' tests on a real local cluster (network namespaces): why they must
 * skip here, if they must, and a cluster that exists only for the duration of one test body (also
 * removed when the body throws, and removed first if a killed run left it behind).
 */
import type { Cluster } from '../../../clusters/cluster.ts';
import { getProvider } from '../../../clusters/connect.ts';
import { hasFortio } from '../../../results/performance/testing/loopback-fortio.ts';

/** `false` when a local cluster with fortio can run here, else the reason to skip. */
export function localClusterSkip(): string | false {
  if (process.platform !== 'linux' || process.getuid?.() !== 0)
    return 'needs root on Linux (network namespaces)';
  if (!hasFortio()) return 'fortio not built (scripts/setup)';
  return false;
}

/** Brings up a 2-node local cluster `name`, runs `body` on it, and always removes it. */
export async function withLocalCluster<T>(name: string, body: (cluster: Cluster) => Promise<T>): Promise<T> {
  const provider = await getProvider('local');
  await provider.down(name);
  try {
    return await body(await provider.up({ name, nodes: 2 }));
  } finally {
    await provider.down(name);
  }
}
