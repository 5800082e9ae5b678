/**
 * @module suites/conformance/traffic/resilience.spec
 * L4 resilience rows, each against a backend set where one endpoint refuses TCP connections (an echo
 * without its TCP listener) or where connections pile up:
 * - `traffic.retry.connect`: every new connection still succeeds (the proxy retries the connect on
 *   another endpoint). Negative control: namespaces not enrolled (nothing retries).
 * - `traffic.outlier-detection.connect`: with DestinationRule outlierDetection, after warm-up every
 *   connection succeeds and no connection attempt reaches the refusing endpoint any more (captured on
 *   its interface). Negative control: namespaces not enrolled.
 * - `traffic.circuit-breaking.tcp`: with connectionPool.tcp.maxConnections 1, concurrent connections
 *   overflow and some are refused. Negative control: the DestinationRule not applied.
 * - `traffic.rate-limit.connection`: a local connection rate limit (2 per minute) refuses the rest.
 *   Negative control: the limit not applied.
 * - `traffic.timeout.connect`: connectTimeout 200 ms toward an endpoint that never answers makes the
 *   call fail fast. Negative control: the timeout not set.
 */
import { createHash } from 'node:crypto';
import type { CallOutcome, CapturedSegment, KubeObject } from '../../../clusters/cluster.ts';
import { call, callConcurrently } from '../../fixtures/call.ts';
import { failedAtLeast, latencyBelow, ok, okCountBetween } from '../../fixtures/call-checks.ts';
import { allOf, check } from '../../fixtures/check.ts';
import type { EchoApp } from '../../fixtures/scenario.ts';
import { rowTest, test } from '../define-row.ts';
import type { RowContext } from '../row-context.ts';
import { clientServer } from '../topology.ts';

async function oneRefusingBackend(
  ctx: RowContext,
  enrol: boolean,
): Promise<{ client: EchoApp; good: EchoApp; bad: EchoApp; ns: string }> {
  const s = ctx.scenario;
  const [clientNs, ns] = await Promise.all([
    s.namespace('client', { role: 'client', enrol }),
    s.namespace('server', { enrol }),
  ]);
  const [client, good, bad] = await s.echoes([
    { namespace: clientNs, name: 'client', service: false },
    { namespace: ns, name: 'echo-good', app: 'echo', version: 'v1', serviceAccount: 'echo' },
    { namespace: ns, name: 'echo-bad', app: 'echo', version: 'v2', serviceAccount: 'echo', without: ['tcp'] },
  ]);
  return { client: client!, good: good!, bad: bad!, ns };
}

/** `240.240.x.y` (x, y in 1..254) derived from `name`: distinct per test namespace. */
function virtualAddress(name: string): string {
  const h = createHash('sha256').update(name).digest();
  return `240.240.${1 + (h[0]! % 254)}.${1 + (h[1]! % 254)}`;
}

function destinationRule(ns: string, name: string, trafficPolicy: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name, namespace: ns },
    spec: { host: `echo.${ns}.svc.cluster.local`, trafficPolicy },
  };
}

test(
  ...rowTest('traffic.retry.connect', async (ctx) => {
    const { client, good } = await oneRefusingBackend(ctx, !ctx.control);
    const probe = () =>
      call(ctx.cluster, client.pod, {
        to: good.address,
        scheme: 'tcp',
        body: 'retry',
        count: 20,
        newConnectionPerRequest: true,
        timeoutMs: 3000,
      });
    if (ctx.positive) await ctx.expectEventually('20 new connections, one endpoint refusing', probe, ok());
    else
      await ctx.expectConsistently(
        '20 new connections, one endpoint refusing (nothing retries)',
        probe,
        failedAtLeast(1),
        { forMs: 500 },
      );
  }),
);

test(
  ...rowTest('traffic.outlier-detection.connect', async (ctx) => {
    const { client, good, bad, ns } = await oneRefusingBackend(ctx, !ctx.control);
    await ctx.scenario.apply([
      destinationRule(ns, 'eject', {
        outlierDetection: {
          consecutiveGatewayErrors: 1,
          consecutive5xxErrors: 1,
          interval: '1s',
          baseEjectionTime: '60s',
          maxEjectionPercent: 50,
        },
      }),
    ]);
    const spec = {
      to: good.address,
      scheme: 'tcp' as const,
      body: 'od',
      count: 10,
      newConnectionPerRequest: true,
      timeoutMs: 3000,
    };
    if (!ctx.positive) {
      const probe = () => call(ctx.cluster, client.pod, spec);
      await ctx.expectConsistently(
        '10 new connections (nothing ejects the refusing endpoint)',
        probe,
        failedAtLeast(1),
        {
          forMs: 500,
        },
      );
      return;
    }
    ctx.requireCapability('capture');
    // Warm-up: let the proxy meet the refusing endpoint (failures here are expected and not asserted).
    await call(ctx.cluster, client.pod, spec);
    const badIp = bad.pods[0]!.ip;
    const probe = async (): Promise<{ calls: CallOutcome[]; towardRefusing: number }> => {
      const capture = await ctx.cluster.capture({ pod: bad.pod }, { filter: 'tcp' });
      let calls: CallOutcome[] = [];
      let segments: CapturedSegment[] = [];
      try {
        calls = await call(ctx.cluster, client.pod, spec);
      } finally {
        segments = await capture.stop();
      }
      return { calls, towardRefusing: segments.filter((x) => x.dst === badIp).length };
    };
    const ejected = check<{ calls: CallOutcome[]; towardRefusing: number }>(
      'every call succeeds and no connection attempt reaches the ejected endpoint',
      (o) =>
        ok().evaluate(o.calls) ??
        (o.towardRefusing === 0
          ? undefined
          : {
              expected: `no segments toward the refusing endpoint ${badIp}`,
              seen: `${o.towardRefusing} segments with payload toward it`,
            }),
    );
    await ctx.expectEventually('10 new connections after warm-up', probe, ejected);
  }),
);

test(
  ...rowTest('traffic.circuit-breaking.tcp', async (ctx) => {
    const s = ctx.scenario;
    const { client, server } = await clientServer(ctx);
    const ns = server.namespace;
    if (!ctx.control)
      await s.apply([destinationRule(ns, 'cb', { connectionPool: { tcp: { maxConnections: 1 } } })]);
    const probe = () =>
      callConcurrently(
        ctx.cluster,
        client.pod,
        {
          to: server.address,
          scheme: 'tcp',
          body: 'cb',
          count: 5,
          newConnectionPerRequest: true,
          timeoutMs: 3000,
        },
        8,
      );
    if (ctx.positive)
      await ctx.expectEventually(
        '8 × 5 concurrent connections, maxConnections 1',
        probe,
        allOf(failedAtLeast(1), okCountBetween(1)),
      );
    else
      await ctx.expectConsistently('8 × 5 concurrent connections (limit has no effect)', probe, ok(), {
        forMs: 500,
      });
  }),
);

test(
  ...rowTest('traffic.rate-limit.connection', async (ctx) => {
    const s = ctx.scenario;
    const { client, server } = await clientServer(ctx);
    const ns = server.namespace;
    const limit: KubeObject = {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'EnvoyFilter',
      metadata: { name: 'connection-rate-limit', namespace: ns },
      spec: {
        workloadSelector: { labels: { app: 'echo' } },
        configPatches: [
          {
            applyTo: 'NETWORK_FILTER',
            match: {
              context: 'SIDECAR_INBOUND',
              listener: { filterChain: { filter: { name: 'envoy.filters.network.tcp_proxy' } } },
            },
            patch: {
              operation: 'INSERT_BEFORE',
              value: {
                name: 'envoy.filters.network.local_ratelimit',
                typed_config: {
                  '@type':
                    'type.googleapis.com/envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit',
                  stat_prefix: 'meshbench_connection_limit',
                  token_bucket: { max_tokens: 2, tokens_per_fill: 2, fill_interval: '60s' },
                },
              },
            },
          },
        ],
      },
    };
    if (!ctx.control) await s.apply([limit]);
    const probe = () =>
      call(ctx.cluster, client.pod, {
        to: server.address,
        scheme: 'tcp',
        body: 'rl',
        count: 10,
        newConnectionPerRequest: true,
        timeoutMs: 2000,
      });
    if (ctx.positive)
      await ctx.expectEventually(
        '10 new connections, limit 2 per minute',
        probe,
        allOf(failedAtLeast(5), okCountBetween(0, 3)),
      );
    else
      await ctx.expectConsistently('10 new connections (limit has no effect)', probe, ok(), { forMs: 500 });
  }),
);

test(
  ...rowTest('traffic.timeout.connect', async (ctx) => {
    const s = ctx.scenario;
    const [clientNs, ns] = await Promise.all([
      s.namespace('client', { role: 'client' }),
      s.namespace('server'),
    ]);
    const [client] = await s.echoes([{ namespace: clientNs, name: 'client', service: false }]);
    // An endpoint in the cluster range that nothing owns: connection attempts get no answer.
    const blackhole = '198.19.255.254';
    const host = `blackhole.${ns}.meshbench.internal`;
    // A virtual address of this test's own (positive and negative-control runs go in parallel on one
    // cluster): 240.240.x.y from the namespace name, class E, never routed anywhere.
    const vip = virtualAddress(ns);
    const entry: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'blackhole', namespace: ns },
      spec: {
        hosts: [host],
        addresses: [vip],
        ports: [{ number: 9090, name: 'tcp', protocol: 'TCP' }],
        location: 'MESH_INTERNAL',
        resolution: 'STATIC',
        endpoints: [{ address: blackhole }],
      },
    };
    const timeout: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'connect-timeout', namespace: ns },
      spec: { host, trafficPolicy: { connectionPool: { tcp: { connectTimeout: '200ms' } } } },
    };
    await s.apply(ctx.control ? [entry] : [entry, timeout]);
    const probe = () =>
      call(ctx.cluster, client!.pod, {
        to: vip,
        scheme: 'tcp',
        body: 'to',
        count: 2,
        newConnectionPerRequest: true,
        timeoutMs: 4000,
      });
    await ctx.expectEventually(
      'calls toward an endpoint that never answers',
      probe,
      allOf(failedAtLeast(2), latencyBelow(1500)),
    );
  }),
);
