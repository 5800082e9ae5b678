/**
 * @module suites/conformance/global-teardown
 * Playwright global teardown: downs the cluster the run created, or uninstalls the mesh the run
 * installed on a reused cluster. `MESHBENCH_KEEP_CLUSTER=1` keeps everything for debugging.
 */
import { getProvider } from '../../clusters/connect.ts';
import { describeError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { readSession } from '../fixtures/session.ts';

/** Removes what the global setup created. */
export default async function globalTeardown(): Promise<void> {
  const logger = createLogger({ format: 'text' }).child({ component: 'conformance-teardown' });
  const session = readSession();
  if (!session.cluster) return;
  if (process.env.MESHBENCH_KEEP_CLUSTER === '1') {
    logger.info('keeping cluster', { name: session.cluster.name });
    return;
  }
  try {
    const provider = await getProvider(session.provider);
    if (session.cluster.created) {
      await provider.down(session.cluster.name);
    } else if (session.mesh?.installedByRun) {
      await (await provider.connect(session.cluster.name)).uninstallMesh();
    }
  } catch (err) {
    logger.warn('conformance teardown failed', { cluster: session.cluster.name, error: describeError(err) });
  }
}
