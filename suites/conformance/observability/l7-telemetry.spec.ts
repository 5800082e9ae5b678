/**
 * @module suites/conformance/observability/l7-telemetry.spec
 * Rows `l7.metrics` and `l7.processing-steps`: HTTP requests produce `istio_requests_total` with the
 * response code from the L7 proxies (sidecar: reported by source and destination = 2 steps; waypoint:
 * reported once by the waypoint = 1 step). In ambient without waypoint no proxy reports requests.
 * Negative control: namespaces not enrolled.
 * `l7.tracing`: requests through an L7 proxy reach the backend with a trace context it started
 * (`traceparent` or `x-b3-traceid`); without one they carry none. Negative control: not enrolled.
 */
import type { PodInfo } from '../../../clusters/cluster.ts';
import { call } from '../../fixtures/call.ts';
import { header, ok } from '../../fixtures/call-checks.ts';
import { allOf, anyOf, check, not } from '../../fixtures/check.ts';
import { type MetricSample, metricAtLeast, sumOf } from '../../fixtures/metrics.ts';
import { rowTest, test } from '../define-row.ts';
import type { RowContext } from '../row-context.ts';
import { clientServer } from '../topology.ts';

async function requestMetrics(
  ctx: RowContext,
  pods: PodInfo[],
  from: PodInfo,
  to: string,
): Promise<MetricSample[]> {
  await call(ctx.cluster, from, { to, scheme: 'http', count: 3 });
  return ctx.meshMetrics(pods);
}

test(
  ...rowTest('l7.metrics', async (ctx) => {
    const enrol = !ctx.control;
    const { client, server } = await clientServer(ctx, { enrolClient: enrol, enrolServer: enrol });
    const pods = [...client.pods, ...server.pods];
    const labels = { response_code: '200', destination_workload_namespace: server.namespace };
    const probe = () => requestMetrics(ctx, pods, client.pods[0]!, server.address);
    if (ctx.positive)
      await ctx.expectEventually(
        'proxy metrics after 3 HTTP requests',
        probe,
        metricAtLeast('istio_requests_total', labels, 3),
      );
    else {
      const none = check<MetricSample[]>('no proxy reports HTTP requests', (samples) => {
        const n = sumOf(samples, 'istio_requests_total', {
          destination_workload_namespace: server.namespace,
        });
        return n === 0 ? undefined : { expected: 'istio_requests_total = 0', seen: `${n}` };
      });
      await ctx.expectConsistently('proxy metrics after HTTP requests (L4 only)', probe, none, {
        forMs: 1000,
      });
    }
  }),
);

test(
  ...rowTest('l7.processing-steps', async (ctx) => {
    const enrol = !ctx.control;
    const { client, server } = await clientServer(ctx, { enrolClient: enrol, enrolServer: enrol });
    const pods = [...client.pods, ...server.pods];
    const want = ctx.mode === 'sidecar' ? ['source', 'destination'] : ['waypoint'];
    const steps = check<MetricSample[]>(`requests reported by exactly: ${want.join(', ')}`, (samples) => {
      const reporters = [
        ...new Set(
          samples
            .filter(
              (s) =>
                s.name === 'istio_requests_total' &&
                s.labels.destination_workload_namespace === server.namespace &&
                s.value > 0,
            )
            .map((s) => s.labels.reporter ?? '?'),
        ),
      ].sort();
      const ok = reporters.length === want.length && want.every((r) => reporters.includes(r));
      return ok
        ? undefined
        : {
            expected: `${want.length} L7 step(s): ${want.join(', ')}`,
            seen: reporters.length ? reporters.join(', ') : 'no L7 reporter',
          };
    });
    await ctx.expectEventually(
      'reporters of 3 HTTP requests',
      () => requestMetrics(ctx, pods, client.pods[0]!, server.address),
      steps,
    );
  }),
);

test(...rowTest('l7.access-logs'));
test(
  ...rowTest('l7.tracing', async (ctx) => {
    const enrol = !ctx.control;
    const { client, server } = await clientServer(ctx, { enrolClient: enrol, enrolServer: enrol });
    // The echo client sends no trace context: any the backend sees was started by an L7 proxy.
    const traced = anyOf(header('traceparent'), header('x-b3-traceid'));
    const probe = () => call(ctx.cluster, client.pod, { to: server.address, scheme: 'http', count: 3 });
    if (ctx.positive) await ctx.expectEventually('trace context the backend receives', probe, traced);
    else
      await ctx.expectConsistently(
        'trace context the backend receives (no L7 proxy)',
        probe,
        allOf(ok(), not(traced)),
        { forMs: 1000 },
      );
  }),
);
