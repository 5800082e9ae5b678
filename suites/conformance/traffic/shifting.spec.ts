/**
 * @module suites/conformance/traffic/shifting.spec
 * Rows `traffic.tcp-shifting` (VirtualService tcp route over DestinationRule subsets, as Istio's TCP
 * traffic shifting task), `traffic.http-shifting` (HTTPRoute weights to Services, as the HTTP task)
 * and `api.classic-apis` (VirtualService header match to a subset). Two versions behind one Service;
 * the route sends everything to v2. Where the mode cannot route (no mesh; ambient without waypoint
 * for L7), both versions keep answering. Negative control: the route not applied.
 */
import type { KubeObject } from '../../../clusters/cluster.ts';
import { call } from '../../fixtures/call.ts';
import { ok, versionShare } from '../../fixtures/call-checks.ts';
import { allOf } from '../../fixtures/check.ts';
import type { EchoApp } from '../../fixtures/scenario.ts';
import { rowTest, test } from '../define-row.ts';
import type { RowContext } from '../row-context.ts';

async function twoVersions(
  ctx: RowContext,
): Promise<{ client: EchoApp; v1: EchoApp; v2: EchoApp; host: string; ns: string }> {
  const s = ctx.scenario;
  const [clientNs, ns] = await Promise.all([
    s.namespace('client', { role: 'client' }),
    s.namespace('server'),
  ]);
  const extraServices: KubeObject[] = ['v1', 'v2'].map((v) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `echo-${v}`, namespace: ns },
    spec: {
      selector: { app: 'echo', version: v },
      ports: [
        { name: 'http', port: 8080, appProtocol: 'http' },
        { name: 'tcp', port: 9090, appProtocol: 'tcp' },
      ],
    },
  }));
  await s.apply(extraServices);
  const [client, v1, v2] = await s.echoes([
    { namespace: clientNs, name: 'client', service: false },
    { namespace: ns, name: 'echo-v1', app: 'echo', version: 'v1', serviceAccount: 'echo' },
    { namespace: ns, name: 'echo-v2', app: 'echo', version: 'v2', serviceAccount: 'echo' },
  ]);
  return { client: client!, v1: v1!, v2: v2!, host: `echo.${ns}.svc.cluster.local`, ns };
}

function subsets(ns: string, host: string): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'echo', namespace: ns },
    spec: {
      host,
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    },
  };
}

async function expectShift(
  ctx: RowContext,
  what: string,
  probe: () => ReturnType<typeof call>,
): Promise<void> {
  if (ctx.positive) await ctx.expectEventually(what, probe, allOf(ok(), versionShare('v2', 1, 1)));
  else
    await ctx.expectConsistently(
      `${what} (route has no effect)`,
      probe,
      allOf(ok(), versionShare('v2', 0.05, 0.95)),
      { forMs: 1000 },
    );
}

test(
  ...rowTest('traffic.tcp-shifting', async (ctx) => {
    const { client, v1, host, ns } = await twoVersions(ctx);
    const route: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'echo-shift', namespace: ns },
      spec: {
        hosts: [host],
        tcp: [
          {
            match: [{ port: 9090 }],
            route: [
              { destination: { host, subset: 'v1', port: { number: 9090 } }, weight: 0 },
              { destination: { host, subset: 'v2', port: { number: 9090 } }, weight: 100 },
            ],
          },
        ],
      },
    };
    await ctx.scenario.apply(ctx.control ? [subsets(ns, host)] : [subsets(ns, host), route]);
    await expectShift(ctx, '20 new TCP connections to the Service', () =>
      call(ctx.cluster, client.pod, {
        to: v1.address,
        scheme: 'tcp',
        body: 'shift',
        count: 20,
        newConnectionPerRequest: true,
      }),
    );
  }),
);

test(
  ...rowTest('traffic.http-shifting', async (ctx) => {
    const { client, v1, ns } = await twoVersions(ctx);
    const route: KubeObject = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'echo-shift', namespace: ns },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'echo', port: 8080 }],
        rules: [
          {
            backendRefs: [
              { name: 'echo-v1', port: 8080, weight: 0 },
              { name: 'echo-v2', port: 8080, weight: 100 },
            ],
          },
        ],
      },
    };
    if (!ctx.control) await ctx.scenario.apply([route]);
    await expectShift(ctx, '20 HTTP requests, new connection each', () =>
      call(ctx.cluster, client.pod, {
        to: v1.address,
        scheme: 'http',
        count: 20,
        newConnectionPerRequest: true,
      }),
    );
  }),
);

test(
  ...rowTest('api.classic-apis', async (ctx) => {
    const { client, v1, host, ns } = await twoVersions(ctx);
    const route: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'echo-by-header', namespace: ns },
      spec: {
        hosts: [host],
        http: [
          {
            match: [{ headers: { 'x-meshbench-version': { exact: 'v2' } } }],
            route: [{ destination: { host, subset: 'v2' } }],
          },
          { route: [{ destination: { host, subset: 'v1' } }] },
        ],
      },
    };
    await ctx.scenario.apply(ctx.control ? [subsets(ns, host)] : [subsets(ns, host), route]);
    await expectShift(ctx, '20 HTTP requests with x-meshbench-version: v2', () =>
      call(ctx.cluster, client.pod, {
        to: v1.address,
        scheme: 'http',
        count: 20,
        newConnectionPerRequest: true,
        headers: { 'x-meshbench-version': 'v2' },
      }),
    );
  }),
);
