/**
 * @module suites/conformance/security/spiffe-identity.spec
 * Row `security.spiffe-identity`: after a call, the server-side proxy reports an mTLS connection
 * whose peer is the client's SPIFFE identity (`spiffe://cluster.local/ns/<ns>/sa/<sa>`), in Istio's
 * standard TCP metrics scraped from ztunnel (and waypoint or sidecar) on 15020.
 * Negative control: client namespace not enrolled — no identity is presented.
 */
import { call } from '../../fixtures/call.ts';
import { peerIdentity } from '../../fixtures/metrics.ts';
import { rowTest, test } from '../define-row.ts';
import { clientServer } from '../topology.ts';

test(
  ...rowTest('security.spiffe-identity', async (ctx) => {
    const { client, server } = await clientServer(ctx, { enrolClient: !ctx.control });
    await ctx.expectEventually(
      'proxy metrics after a call',
      async () => {
        await call(ctx.cluster, client.pod, {
          to: server.address,
          scheme: 'tcp',
          body: 'id',
          newConnectionPerRequest: true,
        });
        return ctx.meshMetrics([...client.pods, ...server.pods]);
      },
      peerIdentity(client.spiffe),
    );
  }),
);
