/**
 * @module suites/conformance/lifecycle/enrolment.spec
 * Rows `lifecycle.enrol-without-restart` and `lifecycle.incremental`.
 * Enrolment: pods start outside the mesh; labelling their namespaces meshes their traffic (the server
 * proxy reports the client's SPIFFE identity) while every container keeps its process id and restart
 * count. Sidecar mode must visibly NOT do that: relabelled pods stay unmeshed until restarted.
 * Negative control: the label not applied.
 * Incremental: an ambient namespace has L4 (identity) and no L7 telemetry; adding a waypoint by
 * configuration makes the waypoint report HTTP requests, again without a restart.
 * Negative control: the waypoint not added.
 */
import type { PodInfo } from '../../../clusters/cluster.ts';
import { call } from '../../fixtures/call.ts';
import { type Check, check } from '../../fixtures/check.ts';
import { type MetricSample, metricAtLeast, peerIdentity } from '../../fixtures/metrics.ts';
import { rowTest, test } from '../define-row.ts';
import type { RowContext } from '../row-context.ts';
import { clientServer } from '../topology.ts';

interface Observation {
  samples: MetricSample[];
  pods: PodInfo[];
}

function fingerprint(pods: readonly PodInfo[]): string {
  return pods
    .map(
      (p) =>
        `${p.namespace}/${p.name}:${p.containers.map((c) => `${c.name}@${c.pid ?? '?'}#${c.restarts}`).join(',')}`,
    )
    .sort()
    .join(' ');
}

function unchanged(before: readonly PodInfo[]): Check<Observation> {
  const want = fingerprint(before);
  return check('the same pods and container processes (no restart)', (o) => {
    const now = fingerprint(o.pods);
    return now === want ? undefined : { expected: want, seen: now };
  });
}

function both(a: Check<Observation>, b: Check<readonly MetricSample[]>): Check<Observation> {
  return check(`${a.description} and ${b.description}`, (o) => {
    return a.evaluate(o) ?? b.evaluate(o.samples);
  });
}

async function observe(
  ctx: RowContext,
  from: PodInfo,
  to: string,
  namespaces: string[],
  scheme: 'tcp' | 'http',
): Promise<Observation> {
  await call(ctx.cluster, from, { to, scheme, body: 'enrol', count: 2, newConnectionPerRequest: true });
  const pods = (await Promise.all(namespaces.map((ns) => ctx.cluster.pods(ns))))
    .flat()
    .filter((p) => !p.labels['gateway.networking.k8s.io/gateway-name']);
  return { samples: await ctx.meshMetrics(pods), pods };
}

test(
  ...rowTest('lifecycle.enrol-without-restart', async (ctx) => {
    const { client, server } = await clientServer(ctx, { enrolClient: false, enrolServer: false });
    const namespaces = [client.namespace, server.namespace];
    const before = (await Promise.all(namespaces.map((ns) => ctx.cluster.pods(ns)))).flat();
    if (before.some((p) => p.containers.some((c) => c.pid === undefined)))
      ctx.skip(`provider ${ctx.cluster.provider} does not report container pids`);
    if (!ctx.control) {
      await ctx.scenario.enrol(client.namespace, 'client');
      await ctx.scenario.enrol(server.namespace, 'server');
    }
    const probe = () => observe(ctx, client.pods[0]!, server.address, namespaces, 'tcp');
    if (ctx.positive) {
      await ctx.expectEventually(
        'after labelling the namespaces',
        probe,
        both(unchanged(before), peerIdentity(client.spiffe)),
      );
    } else {
      const unmeshed = check<readonly MetricSample[]>(
        'traffic not meshed (no identity reported)',
        (samples) =>
          peerIdentity(client.spiffe).evaluate(samples)
            ? undefined
            : { expected: 'no mTLS identity until restart', seen: 'the client identity was reported' },
      );
      await ctx.expectConsistently(
        'after labelling the namespaces (pods not restarted)',
        probe,
        both(unchanged(before), unmeshed),
        { forMs: 1500 },
      );
    }
  }),
);

test(
  ...rowTest('lifecycle.incremental', async (ctx) => {
    const { client, server } = await clientServer(ctx, { enrolClient: true, enrolServer: true });
    const namespaces = [client.namespace, server.namespace];
    await ctx.expectEventually(
      'L4 at enrolment',
      async () => (await observe(ctx, client.pods[0]!, server.address, namespaces, 'tcp')).samples,
      peerIdentity(client.spiffe),
    );
    const before = (await Promise.all(namespaces.map((ns) => ctx.cluster.pods(ns)))).flat();
    if (!ctx.control) await ctx.scenario.enrol(server.namespace, 'server', 'waypoint');
    await ctx.expectEventually(
      'L7 after adding a waypoint',
      () => observe(ctx, client.pods[0]!, server.address, namespaces, 'http'),
      both(
        unchanged(before),
        metricAtLeast(
          'istio_requests_total',
          { reporter: 'waypoint', destination_workload_namespace: server.namespace },
          1,
        ),
      ),
    );
  }),
);
