/**
 * @module suites/conformance/lifecycle/proxies.spec
 * Rows `lifecycle.platform-managed-proxies` and `resources.shared-waypoint`: in ambient, application
 * pods carry only their own container and the node proxies run as platform pods; with a waypoint, three
 * replicas share one waypoint pod. Sidecar mode must visibly differ: a proxy container in every pod.
 * Negative control: for the ambient row, the namespace not enrolled (no node proxy carries the app's
 * traffic); for the waypoint row, the namespace in sidecar mode.
 */
import type { PodInfo } from '../../../clusters/cluster.ts';
import { check } from '../../fixtures/check.ts';
import { peerIdentity } from '../../fixtures/metrics.ts';
import { rowTest, test } from '../define-row.ts';
import { metricsAfterTcpCall } from '../topology.ts';

function containers(pods: readonly PodInfo[]): string {
  return pods.map((p) => `${p.name}: ${p.containers.map((c) => c.name).join('+')}`).join(', ');
}

const appOnly = check<PodInfo[]>('every application pod runs only its own container', (pods) =>
  pods.length > 0 && pods.every((p) => p.containers.length === 1)
    ? undefined
    : { expected: 'one container per application pod', seen: containers(pods) || 'no pods' },
);

const proxyInEach = check<PodInfo[]>('every application pod carries a proxy container', (pods) =>
  pods.length > 0 && pods.every((p) => p.containers.length >= 2)
    ? undefined
    : { expected: 'two or more containers per pod (app + sidecar)', seen: containers(pods) || 'no pods' },
);

test(
  ...rowTest('lifecycle.platform-managed-proxies', async (ctx) => {
    if (!ctx.positive) {
      const ns = await ctx.scenario.namespace('app');
      const app = await ctx.scenario.echo({ namespace: ns, name: 'echo', replicas: 2 });
      await ctx.expectNow('application pods', app.pods, proxyInEach);
      return;
    }
    const ns = await ctx.scenario.namespace('app', { enrol: !ctx.control });
    const app = await ctx.scenario.echo({ namespace: ns, name: 'echo', replicas: 2 });
    await ctx.expectNow('application pods', app.pods, appOnly);
    // The platform's node proxies, not anything inside the pods, carry the app's mesh traffic.
    await ctx.expectEventually(
      'node proxy metrics after the app calls itself',
      () => metricsAfterTcpCall(ctx, app, app, 'platform'),
      peerIdentity(app.spiffe),
    );
  }),
);

test(
  ...rowTest('resources.shared-waypoint', async (ctx) => {
    const ns = await ctx.scenario.namespace('app', ctx.control ? { as: 'sidecar' } : {});
    const app = await ctx.scenario.echo({ namespace: ns, name: 'echo', replicas: 3 });
    if (ctx.positive) {
      const waypoints = await ctx.cluster.pods(ns, { 'gateway.networking.k8s.io/gateway-name': 'waypoint' });
      const observed = { app: app.pods, waypoints };
      await ctx.expectNow(
        'proxies serving 3 replicas',
        observed,
        check<typeof observed>(
          '3 replicas, no proxy container in them, one shared waypoint pod',
          (o) =>
            appOnly.evaluate(o.app) ??
            (o.waypoints.length === 1
              ? undefined
              : { expected: '1 waypoint pod', seen: `${o.waypoints.length} waypoint pods` }),
        ),
      );
    } else {
      await ctx.expectNow('3 replicas', app.pods, proxyInEach);
    }
  }),
);
