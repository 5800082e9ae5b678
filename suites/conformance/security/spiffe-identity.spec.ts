/**
 * @module suites/conformance/security/spiffe-identity.spec
 * Row `security.spiffe-identity`: after a call, the server-side proxy reports an mTLS connection
 * whose peer is the client's SPIFFE identity (`spiffe://cluster.local/ns/<ns>/sa/<sa>`), in Istio's
 * standard TCP metrics scraped from ztunnel (and waypoint or sidecar) on 15020.
 * Negative control: client namespace not enrolled — no identity is presented.
 */
import { peerIdentity } from '../../fixtures/metrics.ts';
import { rowTest, test } from '../define-row.ts';
import { clientServer, metricsAfterTcpCall } from '../topology.ts';

test(
  ...rowTest('security.spiffe-identity', async (ctx) => {
    const { client, server } = await clientServer(ctx, { enrolClient: !ctx.control });
    await ctx.expectEventually(
      'proxy metrics after a call',
      () => metricsAfterTcpCall(ctx, client, server, 'id', [...client.pods, ...server.pods]),
      peerIdentity(client.spiffe),
    );
  }),
);
