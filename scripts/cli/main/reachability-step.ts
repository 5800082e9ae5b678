/**
 * @module scripts/cli/main/reachability-step
 * Main step `reachability`: from the client pod, many calls to each echo pod by IP and to the
 * echo Service VIP (a new connection per call, so the Service's balancing is exercised). Passes
 * when every call succeeds, each pod answers with its own Hostname, and the VIP reaches every pod.
 */
import type { Cluster, PodInfo } from '../../../clusters/cluster.ts';
import { MeshbenchError } from '../../../core/errors.ts';
import { type CallSummary, summarizeCalls } from '../call-table.ts';
import { renderTable } from '../table.ts';
import { DEMO } from './demo-workload.ts';
import { type MainStep, requireCluster } from './main-step.ts';

/** One row of the reachability table. */
export interface ReachabilityRow extends CallSummary {
  target: string;
  url: string;
  /** Hostnames the target had to answer with (one pod, or every pod behind the VIP). */
  expectedHostnames: string[];
  passed: boolean;
}

async function serviceVip(cluster: Cluster): Promise<string> {
  const svc = await cluster.get({ kind: 'Service', namespace: DEMO.namespace, name: DEMO.echo });
  const ip = (svc?.spec as { clusterIP?: string } | undefined)?.clusterIP;
  if (!ip || ip === 'None') {
    throw new MeshbenchError('E_CLUSTER_STATE', `Service ${DEMO.namespace}/${DEMO.echo} has no ClusterIP`);
  }
  return ip;
}

/** Judges one target: all calls ok and exactly the expected pods answered. */
export function judge(
  target: string,
  url: string,
  summary: CallSummary,
  expected: string[],
): ReachabilityRow {
  const reachedAll = expected.every((h) => summary.hostnames.includes(h));
  const onlyExpected = summary.hostnames.every((h) => expected.includes(h));
  return {
    target,
    url,
    ...summary,
    expectedHostnames: expected,
    passed: summary.failed === 0 && summary.total > 0 && reachedAll && onlyExpected,
  };
}

/** The `reachability` step. */
export const reachabilityStep: MainStep = {
  id: 'reachability',
  title: 'reachability check',
  async run(run) {
    const cluster = requireCluster(run);
    const from = { namespace: DEMO.namespace, name: DEMO.client };
    const echoes: PodInfo[] = (await cluster.pods(DEMO.namespace, { app: DEMO.echo })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    const vip = await serviceVip(cluster);
    const n = run.options.calls;
    const targets = [
      ...echoes.map((p) => ({
        target: `pod ${p.name}`,
        url: `http://${p.ip}:${DEMO.httpPort}/`,
        count: n,
        expect: [p.name],
      })),
      {
        target: `service ${DEMO.echo} (VIP)`,
        url: `http://${vip}:${DEMO.servicePort}/`,
        count: n * Math.max(1, echoes.length),
        expect: echoes.map((p) => p.name),
      },
    ];
    const rows: ReachabilityRow[] = [];
    await run.cli.progress.run(`reachability: ${targets.length} targets from ${from.name}`, async (task) => {
      for (const [i, t] of targets.entries()) {
        task.update(t.target, i, targets.length);
        const result = await cluster.call(from, {
          url: t.url,
          count: t.count,
          newConnectionPerRequest: true,
        });
        rows.push(judge(t.target, t.url, summarizeCalls(result.outcomes), t.expect));
      }
    });
    run.cli.print(
      renderTable(
        ['target', 'url', 'ok', 'p50 ms', 'p99 ms', 'answered by', 'result'],
        rows.map((r) => [
          r.target,
          r.url,
          `${r.ok}/${r.total}`,
          r.p50Ms.toFixed(2),
          r.p99Ms.toFixed(2),
          r.hostnames.join(' ') || '-',
          r.passed ? 'pass' : 'FAIL',
        ]),
        Boolean(run.cli.io.stdout.isTTY),
      ),
    );
    run.results.reachability = rows;
    const failed = rows.filter((r) => !r.passed);
    if (failed.length > 0) {
      throw new MeshbenchError(
        'E_CALL',
        `reachability failed for ${failed.map((r) => r.target).join(', ')}`,
        { hint: `inspect with: meshbench call --from ${from.namespace}/${from.name} --to ${failed[0]!.url}` },
      );
    }
  },
};
