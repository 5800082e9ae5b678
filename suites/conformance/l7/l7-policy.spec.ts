/**
 * @module suites/conformance/l7/l7-policy.spec
 * L7 rows proven by request outcomes: `l7.fault-injection` (VirtualService abort 418), `l7.timeouts`
 * (a backend answering after 3 s, cut by a 0.5 s route timeout → 504), `l7.authz` (ALLOW GET /allowed only).
 * Sidecar and waypoint must apply them; ambient without a waypoint and no mesh must visibly NOT
 * (requests keep their normal answer / no per-path decision). Negative control: the rule not applied.
 * `l7.mirroring`: with `mirror` to echo-v2 every request is also reported (Istio request metrics) at
 * echo-v2 while answers still come from echo. Negative control: no mirror.
 * Declared, not yet proven: ext-authz, request outlier detection, Wasm extensibility.
 */
import type { CallOutcome, KubeObject } from '../../../clusters/cluster.ts';
import { call } from '../../fixtures/call.ts';
import { latencyAbove, latencyBelow, ok, status, versionShare } from '../../fixtures/call-checks.ts';
import { allOf, check } from '../../fixtures/check.ts';
import { type MetricSample, sumOf } from '../../fixtures/metrics.ts';
import { l7PolicyAttachment } from '../../fixtures/mode-labels.ts';
import { policyReachedNodeProxies } from '../../fixtures/node-proxy-config.ts';
import { rowTest, test } from '../define-row.ts';
import { clientServer } from '../topology.ts';

function virtualService(ns: string, host: string, http: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'echo-l7', namespace: ns },
    spec: { hosts: [host], http: [{ ...http, route: [{ destination: { host } }] }] },
  };
}

test(
  ...rowTest('l7.fault-injection', async (ctx) => {
    const { client, server } = await clientServer(ctx);
    if (!ctx.control) {
      await ctx.scenario.apply([
        virtualService(server.namespace, server.host, {
          fault: { abort: { httpStatus: 418, percentage: { value: 100 } } },
        }),
      ]);
    }
    const probe = () => call(ctx.cluster, client.pod, { to: server.address, scheme: 'http', count: 5 });
    if (ctx.positive) await ctx.expectEventually('5 HTTP requests, abort 418 configured', probe, status(418));
    else
      await ctx.expectConsistently('5 HTTP requests, abort 418 configured (no L7 proxy)', probe, ok(), {
        forMs: 1500,
      });
  }),
);

test(
  ...rowTest('l7.timeouts', async (ctx) => {
    const { client, server } = await clientServer(ctx);
    const vs = virtualService(server.namespace, server.host, ctx.control ? {} : { timeout: '0.5s' });
    await ctx.scenario.apply([vs]);
    // The backend answers after 3 s (echo `?delay=3s`); a 0.5 s route timeout must cut it with 504.
    const probe = () =>
      call(ctx.cluster, client.pod, {
        to: server.address,
        scheme: 'http',
        path: '/slow?delay=3s',
        count: 2,
        timeoutMs: 6000,
      });
    if (ctx.positive) {
      await ctx.expectEventually(
        '2 requests to a 3 s backend, 0.5 s timeout',
        probe,
        allOf(status(504), latencyBelow(2500)),
      );
    } else {
      await ctx.expectConsistently(
        '2 requests to a 3 s backend, 0.5 s timeout (no L7 proxy)',
        probe,
        allOf(ok(), latencyAbove(2500)),
        { forMs: 1000 },
      );
    }
  }),
);

test(
  ...rowTest('l7.authz', async (ctx) => {
    const { client, server } = await clientServer(ctx);
    const policy: KubeObject = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'get-allowed-only', namespace: server.namespace },
      spec: {
        ...l7PolicyAttachment(ctx.scenario.modeOf(server.namespace), 'echo'),
        action: 'ALLOW',
        rules: [{ to: [{ operation: { methods: ['GET'], paths: ['/allowed'] } }] }],
      },
    };
    if (!ctx.control) await ctx.scenario.apply([policy]);
    const probe = async () => ({
      allowed: await call(ctx.cluster, client.pod, {
        to: server.address,
        scheme: 'http',
        path: '/allowed',
        count: 2,
      }),
      other: await call(ctx.cluster, client.pod, {
        to: server.address,
        scheme: 'http',
        path: '/other',
        count: 2,
      }),
    });
    type Obs = { allowed: CallOutcome[]; other: CallOutcome[] };
    if (ctx.positive) {
      await ctx.expectEventually(
        'GET /allowed and GET /other',
        probe,
        check<Obs>(
          '/allowed answered, /other refused with 403',
          (o) => ok().evaluate(o.allowed) ?? status(403).evaluate(o.other),
        ),
      );
    } else {
      const alike = (o: Obs) => {
        const a = o.allowed.every((x) => x.ok);
        const b = o.other.every((x) => x.ok);
        return a === b
          ? undefined
          : { expected: 'both paths answered alike', seen: `/allowed ok=${a}, /other ok=${b}` };
      };
      // Let the policy reach the node proxies first (an L4 proxy may enforce it as deny-all): a probe
      // that straddles its arrival would see the two paths differ for a reason that is not L7.
      if (!ctx.control)
        await policyReachedNodeProxies(ctx.cluster, {
          namespace: server.namespace,
          name: 'get-allowed-only',
        });
      await ctx.expectConsistently(
        'GET /allowed and GET /other (no L7 proxy)',
        probe,
        check<Obs>('no per-path decision: both paths get the same answer', alike),
        { forMs: 1500 },
      );
    }
  }),
);

test(
  ...rowTest('l7.mirroring', async (ctx) => {
    const { client, server } = await clientServer(ctx);
    const mirror = await ctx.scenario.echo({ namespace: server.namespace, name: 'echo-v2', version: 'v2' });
    const vs = virtualService(
      server.namespace,
      server.host,
      ctx.control ? {} : { mirror: { host: mirror.host }, mirrorPercentage: { value: 100 } },
    );
    await ctx.scenario.apply([vs]);
    const pods = [...client.pods, ...server.pods, ...mirror.pods];
    const mirrored = (samples: MetricSample[]) =>
      sumOf(samples, 'istio_requests_total', {
        destination_workload: 'echo-v2',
        destination_workload_namespace: server.namespace,
      });
    const probe = async () => ({
      calls: await call(ctx.cluster, client.pod, { to: server.address, scheme: 'http', count: 3 }),
      samples: await ctx.meshMetrics(pods),
    });
    type Obs = Awaited<ReturnType<typeof probe>>;
    if (ctx.positive) {
      await ctx.expectEventually(
        '3 requests to echo with a mirror to echo-v2',
        probe,
        check<Obs>(
          'answers from v1 only, and echo-v2 receives mirrored requests',
          (o) =>
            allOf(ok(), versionShare('v1', 1, 1)).evaluate(o.calls) ??
            (mirrored(o.samples) > 0
              ? undefined
              : { expected: 'requests reported at echo-v2', seen: 'none' }),
        ),
      );
    } else {
      await ctx.expectConsistently(
        '3 requests to echo with a mirror to echo-v2 (no L7 proxy)',
        probe,
        check<Obs>(
          'no request reaches echo-v2',
          (o) =>
            ok().evaluate(o.calls) ??
            (mirrored(o.samples) === 0
              ? undefined
              : { expected: 'nothing at echo-v2', seen: `${mirrored(o.samples)} requests` }),
        ),
        { forMs: 1000 },
      );
    }
  }),
);

for (const id of ['l7.ext-authz', 'l7.outlier-detection.request', 'extensibility.wasm']) {
  test(...rowTest(id));
}
