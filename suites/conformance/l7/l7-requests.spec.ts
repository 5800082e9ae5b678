/**
 * @module suites/conformance/l7/l7-requests.spec
 * Per-request L7 rows, driven by the echo app's request controls (`?failFirst=`, `?delay=`):
 * - `l7.retries`: the first request on a fresh path fails with 503 (`?failFirst=1`); a VirtualService
 *   retry policy turns that into 200. Negative control: retries attempts 0.
 * - `l7.circuit-breaking.http`: with one pending request and one request per connection allowed,
 *   concurrent slow requests overflow with 503. Negative control: the DestinationRule not applied.
 * - `l7.rate-limit.request`: a local HTTP rate limit (2 per minute) answers 429 to the rest.
 *   Negative control: the limit not applied.
 * - `l7.access-logs`: a request to a unique path appears in the L7 proxy's access log with method,
 *   path and status. Negative control: Telemetry access logging disabled.
 * Without an L7 proxy (ambient without waypoint, no mesh) each rule must visibly have no effect.
 */
import { randomBytes } from 'node:crypto';
import type { KubeObject, PodInfo } from '../../../clusters/cluster.ts';
import { call, callConcurrently } from '../../fixtures/call.ts';
import { failedAtLeast, ok, okCountBetween, status } from '../../fixtures/call-checks.ts';
import { allOf, check } from '../../fixtures/check.ts';
import { logLine } from '../../fixtures/log-checks.ts';
import { l7PolicyAttachment } from '../../fixtures/mode-labels.ts';
import { rowTest, test } from '../define-row.ts';
import type { RowContext } from '../row-context.ts';
import { clientServer } from '../topology.ts';

let fresh = 0;
/** A path no request used before (the echo's `failFirst` counts per path). */
function freshPath(prefix: string): string {
  fresh += 1;
  return `/${prefix}-${randomBytes(3).toString('hex')}-${fresh}`;
}

test(
  ...rowTest('l7.retries', async (ctx) => {
    const { client, server } = await clientServer(ctx);
    const vs: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'echo-retries', namespace: server.namespace },
      spec: {
        hosts: [server.host],
        http: [
          {
            route: [{ destination: { host: server.host } }],
            retries: { attempts: ctx.control ? 0 : 3, retryOn: '5xx' },
          },
        ],
      },
    };
    await ctx.scenario.apply([vs]);
    const probe = () =>
      call(ctx.cluster, client.pod, {
        to: server.address,
        scheme: 'http',
        path: `${freshPath('retry')}?failFirst=1&failCode=503`,
      });
    if (ctx.positive)
      await ctx.expectEventually('first request on a fresh path (fails once)', probe, status(200));
    else
      await ctx.expectConsistently('first request on a fresh path (nothing retries)', probe, status(503), {
        forMs: 1000,
      });
  }),
);

test(
  ...rowTest('l7.circuit-breaking.http', async (ctx) => {
    const { client, server } = await clientServer(ctx);
    const dr: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'echo-http-cb', namespace: server.namespace },
      spec: {
        host: server.host,
        trafficPolicy: {
          // HTTP limits only: a tcp.maxConnections here would be an L4 limit, which ztunnel applies
          // (row traffic.circuit-breaking.tcp) and which would mask "no L7 effect" in ambient
          connectionPool: {
            http: { http1MaxPendingRequests: 1, http2MaxRequests: 1, maxRequestsPerConnection: 1 },
          },
        },
      },
    };
    if (!ctx.control) await ctx.scenario.apply([dr]);
    const probe = () =>
      callConcurrently(
        ctx.cluster,
        client.pod,
        { to: server.address, scheme: 'http', path: '/slow?delay=300ms', count: 2 },
        8,
      );
    if (ctx.positive) {
      await ctx.expectEventually(
        '8 × 2 concurrent slow requests, 1 pending allowed',
        probe,
        allOf(
          okCountBetween(1),
          check('some requests overflow with 503', (o) =>
            o.some((x) => x.status === 503)
              ? undefined
              : {
                  expected: 'a 503 overflow',
                  seen: `statuses ${[...new Set(o.map((x) => x.status))].join(', ')}`,
                },
          ),
        ),
      );
    } else {
      await ctx.expectConsistently('8 × 2 concurrent slow requests (limits have no effect)', probe, ok(), {
        forMs: 500,
      });
    }
  }),
);

test(
  ...rowTest('l7.rate-limit.request', async (ctx) => {
    const { client, server } = await clientServer(ctx);
    const limit: KubeObject = {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'EnvoyFilter',
      metadata: { name: 'request-rate-limit', namespace: server.namespace },
      spec: {
        ...(ctx.mode === 'sidecar'
          ? { workloadSelector: { labels: { app: 'echo' } } }
          : { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }] }),
        configPatches: [
          {
            applyTo: 'HTTP_FILTER',
            match: {
              context: ctx.mode === 'sidecar' ? 'SIDECAR_INBOUND' : 'GATEWAY',
              listener: {
                filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager' } },
              },
            },
            patch: {
              operation: 'INSERT_BEFORE',
              value: {
                name: 'envoy.filters.http.local_ratelimit',
                typed_config: {
                  '@type':
                    'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
                  stat_prefix: 'meshbench_request_limit',
                  token_bucket: { max_tokens: 2, tokens_per_fill: 2, fill_interval: '60s' },
                  filter_enabled: {
                    runtime_key: 'rl_enabled',
                    default_value: { numerator: 100, denominator: 'HUNDRED' },
                  },
                  filter_enforced: {
                    runtime_key: 'rl_enforced',
                    default_value: { numerator: 100, denominator: 'HUNDRED' },
                  },
                },
              },
            },
          },
        ],
      },
    };
    if (!ctx.control) await ctx.scenario.apply([limit]);
    const probe = () => call(ctx.cluster, client.pod, { to: server.address, scheme: 'http', count: 10 });
    if (ctx.positive) {
      await ctx.expectEventually(
        '10 requests, limit 2 per minute',
        probe,
        allOf(
          failedAtLeast(5),
          check('refused requests answer 429', (o) =>
            o.some((x) => x.status === 429)
              ? undefined
              : { expected: 'HTTP 429', seen: `statuses ${[...new Set(o.map((x) => x.status))].join(', ')}` },
          ),
        ),
      );
    } else {
      await ctx.expectConsistently('10 requests (limit has no effect)', probe, ok(), { forMs: 500 });
    }
  }),
);

async function l7ProxyPods(
  ctx: RowContext,
  serverNs: string,
  clientPods: readonly PodInfo[],
  serverPods: readonly PodInfo[],
): Promise<PodInfo[]> {
  if (ctx.mode === 'sidecar') return [...clientPods, ...serverPods];
  const waypoints = await ctx.cluster.pods(serverNs, {
    'gateway.networking.k8s.io/gateway-name': 'waypoint',
  });
  return ctx.mode === 'baseline' ? [...clientPods, ...serverPods] : [...waypoints, ...(await ctx.ztunnels())];
}

test(
  ...rowTest('l7.access-logs', async (ctx) => {
    const { client, server } = await clientServer(ctx);
    const telemetry: KubeObject = {
      apiVersion: 'telemetry.istio.io/v1',
      kind: 'Telemetry',
      metadata: { name: 'access-logs', namespace: server.namespace },
      spec: {
        ...l7PolicyAttachment(ctx.scenario.modeOf(server.namespace), 'echo'),
        accessLogging: [{ providers: [{ name: 'envoy' }], disabled: ctx.control }],
      },
    };
    await ctx.scenario.apply([telemetry]);
    const proxies = await l7ProxyPods(ctx, server.namespace, client.pods, server.pods);
    const path = freshPath('logged');
    const probe = async () => {
      await call(ctx.cluster, client.pod, { to: server.address, scheme: 'http', path, count: 2 });
      const logs = await Promise.all(proxies.map((p) => ctx.cluster.logs(p, { tail: 300 }).catch(() => '')));
      return logs.join('\n').split('\n');
    };
    const requestLine = logLine(['GET', path, /\b200\b/]);
    if (ctx.positive) await ctx.expectEventually(`access log of GET ${path}`, probe, requestLine);
    else {
      const absent = check<readonly string[]>('no proxy logs the request path', (lines) => {
        const hit = lines.find((l) => l.includes(path));
        return hit ? { expected: `no line with ${path}`, seen: hit.slice(0, 200) } : undefined;
      });
      await ctx.expectConsistently(`proxy logs after GET ${path} (no L7 proxy)`, probe, absent, {
        forMs: 1000,
      });
    }
  }),
);
