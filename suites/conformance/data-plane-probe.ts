/**
 * @module suites/conformance/data-plane-probe
 * The ambient data-plane smoke check the global setup runs after installing the mesh: an ambient
 * client calls an ambient server, and the node proxies must report that connection with the client's
 * SPIFFE identity. When the data plane does not carry traffic yet, ambient rows are reported
 * `not-supported` with this check's mismatch as the reason (set `MESHBENCH_STRICT=1` to run them
 * anyway and see them fail).
 */
import type { Cluster, PodInfo } from '../../clusters/cluster.ts';
import type { Logger } from '../../core/logger.ts';
import { call } from '../fixtures/call.ts';
import { CheckFailedError } from '../fixtures/check.ts';
import { eventually } from '../fixtures/eventually.ts';
import { type MetricSample, parseMetrics, peerIdentity } from '../fixtures/metrics.ts';
import { Scenario } from '../fixtures/scenario.ts';

async function scrape(cluster: Cluster, pods: readonly PodInfo[]): Promise<MetricSample[]> {
  const all = await Promise.all(
    pods.map((p) =>
      cluster
        .podHttp(p, { port: 15020, path: '/stats/prometheus', timeoutMs: 3000 })
        .then((r) => (r.status === 200 ? parseMetrics(r.body) : []))
        .catch(() => []),
    ),
  );
  return all.flat();
}

/** `undefined` when ambient traffic is meshed (identity reported), else why not. */
export async function probeAmbientDataPlane(
  cluster: Cluster,
  systemNamespace: string,
  logger: Logger,
): Promise<string | undefined> {
  const scenario = new Scenario({ cluster, mode: 'ambient', tag: 'smoke', logger });
  try {
    const ns = await scenario.namespace('smoke', { as: 'ambient' });
    const [client, server] = await scenario.echoes([
      { namespace: ns, name: 'client', service: false },
      { namespace: ns, name: 'echo' },
    ]);
    await eventually(
      async () => {
        await call(cluster, client!.pod, {
          to: server!.address,
          scheme: 'tcp',
          body: 'smoke',
          newConnectionPerRequest: true,
        });
        return scrape(
          cluster,
          (await cluster.pods(systemNamespace, { app: 'ztunnel' })).filter((p) => p.ready),
        );
      },
      peerIdentity(client!.spiffe),
      { timeoutMs: 15_000 },
    );
    return undefined;
  } catch (err) {
    const detail =
      err instanceof CheckFailedError
        ? `expected ${err.mismatch.expected}; seen ${err.mismatch.seen}`
        : (err as Error).message;
    return `ambient data plane smoke check failed (an ambient call must be reported by ztunnel with the caller's SPIFFE identity): ${detail}`;
  } finally {
    await scenario.cleanup();
  }
}
