/**
 * @module suites/performance/data-plane-check
 * Checks from outside that a mode is really in effect before its latency is reported: a handful of
 * requests from the client pod must show up in the ztunnels' standard metric
 * `istio_tcp_connections_opened_total` (labels `source_workload_namespace` /
 * `destination_workload_namespace`), and a waypoint mode needs a running waypoint pod. A mode whose
 * traffic bypasses the mesh would otherwise be reported as "no added latency".
 */
import type { Cluster, MeshInfo, PodInfo } from '../../clusters/cluster.ts';
import { describeError, MeshbenchError } from '../../core/errors.ts';
import { runFortioLoad } from './fortio-driver.ts';
import type { ModeDeployment } from './mode-deployment.ts';
import { WAYPOINT_NAME } from './modes.ts';

const METRIC = 'istio_tcp_connections_opened_total';
const METRICS_PORT = 15020;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sums `istio_tcp_connections_opened_total` samples that mention `namespace` as source or destination. */
export function connectionsOpenedFor(prometheusText: string, namespace: string): number {
  let sum = 0;
  for (const line of prometheusText.split('\n')) {
    if (!line.startsWith(`${METRIC}{`)) continue;
    const labels = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
    const mentions =
      labels.includes(`destination_workload_namespace="${namespace}"`) ||
      labels.includes(`source_workload_namespace="${namespace}"`);
    if (!mentions) continue;
    const value = Number(
      line
        .slice(line.lastIndexOf('}') + 1)
        .trim()
        .split(/\s+/)[0],
    );
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

async function scrape(cluster: Cluster, ztunnels: readonly PodInfo[], namespace: string): Promise<number> {
  let total = 0;
  let scraped = 0;
  for (const z of ztunnels) {
    const res = await cluster.podHttp(z, { port: METRICS_PORT, path: '/stats/prometheus', timeoutMs: 5000 });
    if (res.status !== 200) continue;
    scraped++;
    total += connectionsOpenedFor(res.body, namespace);
  }
  if (scraped === 0) {
    throw new MeshbenchError(
      'E_UNSUPPORTED',
      `no ztunnel answered on :${METRICS_PORT}/stats/prometheus (${ztunnels.length} ztunnel pods)`,
    );
  }
  return total;
}

/**
 * Throws `E_UNSUPPORTED` naming what is missing when `d`'s mode is not in effect. Baseline and
 * sidecar (checked at deploy time by container count) pass through.
 */
export async function assertModeInEffect(
  cluster: Cluster,
  d: ModeDeployment,
  mesh: MeshInfo | undefined,
  options: { timeoutMs?: number; signal?: AbortSignal | undefined } = {},
): Promise<void> {
  if (d.mode !== 'ambient' && d.mode !== 'waypoint') return;
  if (!mesh) throw new MeshbenchError('E_UNSUPPORTED', `mode ${d.mode}: no mesh installed`);
  if (d.mode === 'waypoint') {
    const waypoints = await cluster.pods(d.namespace, {
      'gateway.networking.k8s.io/gateway-name': WAYPOINT_NAME,
    });
    if (!waypoints.some((p) => p.ready)) {
      throw new MeshbenchError(
        'E_UNSUPPORTED',
        `mode waypoint not in effect: no ready waypoint pod (label gateway.networking.k8s.io/gateway-name=${WAYPOINT_NAME}) in namespace ${d.namespace}`,
        {
          hint: 'the mesh must deploy a waypoint for a Gateway of class istio-waypoint',
        },
      );
    }
  }
  const ztunnels = await cluster.pods(mesh.systemNamespace, { app: 'ztunnel' });
  // Enrolment is asynchronous (the node agent hands the pod to ztunnel after it starts): retry a
  // short probe load until it shows up in the metrics, or give up at the deadline.
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let before = -1;
  let after = -1;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      before = await scrape(cluster, ztunnels, d.namespace);
      await runFortioLoad(cluster, d.client, {
        url: d.httpUrl,
        qps: 50,
        connections: 2,
        durationSeconds: 0.3,
      });
      await sleep(200);
      after = await scrape(cluster, ztunnels, d.namespace);
      if (after > before) return;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) break;
    await sleep(1000);
  }
  if (lastError) {
    throw new MeshbenchError(
      'E_UNSUPPORTED',
      `mode ${d.mode}: cannot verify that traffic crosses ztunnel: ${describeError(lastError)}`,
      {
        cause: lastError,
      },
    );
  }
  throw new MeshbenchError(
    'E_UNSUPPORTED',
    `mode ${d.mode} not in effect: traffic from ${d.namespace}/${d.client.name} to ${d.httpUrl} did not appear in any ztunnel's ${METRIC} (${before} → ${after}) within ${options.timeoutMs ?? 30_000} ms`,
    {
      hint: `the namespace is labelled for ${d.mode}, but capture (node agent redirect rules) or ztunnel's listeners are not in place for its pods`,
    },
  );
}
