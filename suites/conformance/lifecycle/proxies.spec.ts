/**
 * @module suites/conformance/lifecycle/proxies.spec
 * Rows `lifecycle.platform-managed-proxies` and `resources.shared-waypoint`: in ambient, application
 * pods carry only their own container and the node proxies run as platform pods; with a waypoint, three
 * replicas share one waypoint pod. Sidecar mode must visibly differ: a proxy container in every pod.
 * Negative control: the namespace in sidecar mode.
 */
import type { PodInfo } from '../../../clusters/cluster.ts';
import { check } from '../../fixtures/check.ts';
import { rowTest, test } from '../define-row.ts';

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
    const ns = await ctx.scenario.namespace('app', ctx.control ? { as: 'sidecar' } : {});
    const app = await ctx.scenario.echo({ namespace: ns, name: 'echo', replicas: 2 });
    if (ctx.positive) {
      await ctx.expectNow('application pods', app.pods, appOnly);
      const nodes = new Set(app.pods.map((p) => p.node));
      const zt = await ctx.ztunnels();
      await ctx.expectNow(
        'node proxies',
        zt,
        check<PodInfo[]>('a platform ztunnel runs on every node hosting the app', (pods) => {
          const missing = [...nodes].filter((n) => !pods.some((p) => p.node === n));
          return missing.length === 0
            ? undefined
            : { expected: `ztunnel on ${[...nodes].join(', ')}`, seen: `none on ${missing.join(', ')}` };
        }),
      );
    } else {
      await ctx.expectNow('application pods', app.pods, proxyInEach);
    }
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
