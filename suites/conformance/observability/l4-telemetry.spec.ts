/**
 * @module suites/conformance/observability/l4-telemetry.spec
 * Rows `observability.metrics.tcp` and `observability.logs.l4`: after a TCP exchange, the mesh
 * proxies report Istio's TCP metrics (connections opened, bytes sent and received, labelled with the
 * source and destination workload) and write a connection log line naming both addresses and the
 * bytes (through a waypoint: the source ztunnel's line names the client, the destination ztunnel's
 * line names the server and the client as source workload, as Istio logs it). Negative control:
 * namespaces not enrolled (no proxy sees the connection).
 */
import { call } from '../../fixtures/call.ts';
import { allOf } from '../../fixtures/check.ts';
import { logLine } from '../../fixtures/log-checks.ts';
import { metricAtLeast } from '../../fixtures/metrics.ts';
import { rowTest, test } from '../define-row.ts';
import { clientServer, metricsAfterTcpCall } from '../topology.ts';

test(
  ...rowTest('observability.metrics.tcp', async (ctx) => {
    const enrol = !ctx.control;
    const { client, server } = await clientServer(ctx, { enrolClient: enrol, enrolServer: enrol });
    const labels = {
      source_workload: 'client',
      source_workload_namespace: client.namespace,
      destination_workload_namespace: server.namespace,
    };
    await ctx.expectEventually(
      'proxy metrics after a TCP exchange',
      () => metricsAfterTcpCall(ctx, client, server, 'metrics-payload', [...client.pods, ...server.pods]),
      allOf(
        metricAtLeast('istio_tcp_connections_opened_total', labels, 1),
        metricAtLeast('istio_tcp_received_bytes_total', labels, 1),
        metricAtLeast('istio_tcp_sent_bytes_total', labels, 1),
      ),
    );
  }),
);

test(
  ...rowTest('observability.logs.l4', async (ctx) => {
    const enrol = !ctx.control;
    const { client, server } = await clientServer(ctx, { enrolClient: enrol, enrolServer: enrol });
    const proxies = ctx.mode === 'sidecar' ? [...client.pods, ...server.pods] : await ctx.ztunnels();
    const readLines = async () =>
      (await Promise.all(proxies.map((p) => ctx.cluster.logs(p, { tail: 2000 }).catch(() => ''))))
        .join('\n')
        .split('\n');
    // Pod IPs are reused across tests: only lines written after this point count.
    const earlier = new Set(await readLines());
    await ctx.expectEventually(
      'new proxy log lines after a TCP exchange',
      async () => {
        await call(ctx.cluster, client.pod, {
          to: server.address,
          scheme: 'tcp',
          body: 'log-payload',
          newConnectionPerRequest: true,
        });
        return (await readLines()).filter((l) => !earlier.has(l));
      },
      ctx.mode === 'waypoint'
        ? // Through a waypoint no ztunnel line names both pods (nor in Istio): the source ztunnel logs
          // client → waypoint; the destination ztunnel logs waypoint → server, with the client as the
          // source workload (taken from the waypoint's `Forwarded`, as Istio's ztunnel does).
          allOf(
            logLine([client.pods[0]!.ip, /bytes/]),
            logLine([server.pods[0]!.ip, /bytes/, /"src":\{"addr":"[^"]*","workload":"client"/]),
          )
        : logLine([client.pods[0]!.ip, server.pods[0]!.ip, /bytes/]),
    );
  }),
);
