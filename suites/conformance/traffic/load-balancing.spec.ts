/**
 * @module suites/conformance/traffic/load-balancing.spec
 * Rows `traffic.l4.connection-lb` and `l7.request-lb`. L4: new connections to a Service reach every
 * backend (negative control: calls go to one pod IP). L7: requests on one kept-alive connection are
 * spread per request by sidecar and waypoint; without an L7 proxy they all stick to one backend
 * (negative control: a single backend).
 */
import { call } from '../../fixtures/call.ts';
import { distinctBackends, ok, reachedAll } from '../../fixtures/call-checks.ts';
import { allOf } from '../../fixtures/check.ts';
import { rowTest, test } from '../define-row.ts';
import { clientServer } from '../topology.ts';

test(
  ...rowTest('traffic.l4.connection-lb', async (ctx) => {
    const { client, server } = await clientServer(ctx, { replicas: 3 });
    const backends = server.pods.map((p) => p.name);
    const to = ctx.control ? server.pods[0]!.ip : server.address;
    await ctx.expectEventually(
      'new connection per call',
      () =>
        call(ctx.cluster, client.pod, {
          to,
          scheme: 'tcp',
          body: 'lb',
          count: 30,
          newConnectionPerRequest: true,
        }),
      allOf(ok(), reachedAll(backends)),
    );
  }),
);

test(
  ...rowTest('l7.request-lb', async (ctx) => {
    const { client, server } = await clientServer(ctx, { replicas: ctx.control ? 1 : 3 });
    const probe = () =>
      call(ctx.cluster, client.pod, {
        to: server.address,
        scheme: 'http',
        count: 20,
        newConnectionPerRequest: false,
      });
    if (ctx.positive) {
      await ctx.expectEventually('20 requests on one connection', probe, allOf(ok(), distinctBackends(2, 3)));
    } else {
      await ctx.expectConsistently(
        '20 requests on one connection',
        probe,
        allOf(ok(), distinctBackends(1, 1)),
        { forMs: 1000 },
      );
    }
  }),
);
