/**
 * @module suites/conformance/platform/dns-socks5.spec
 * Rows `dns.proxying` and `egress.socks5`.
 * DNS: a ServiceEntry host that no cluster DNS knows resolves inside an enrolled pod (the node proxy
 * answers) and the call reaches the echo behind it. Without a mesh the name does not resolve.
 * Negative control: the ServiceEntry not applied.
 * SOCKS5: a call through the SOCKS5 listener at 127.0.0.1:15080 in the client pod reaches the
 * server. Without a mesh nothing listens there. Negative control: client namespace not enrolled.
 * Declared, not yet proven: `egress.controlled`.
 */
import type { KubeObject } from '../../../clusters/cluster.ts';
import { call } from '../../fixtures/call.ts';
import { failedAtLeast, ok } from '../../fixtures/call-checks.ts';
import { rowTest, test } from '../define-row.ts';
import { clientServer } from '../topology.ts';

test(
  ...rowTest('dns.proxying', async (ctx) => {
    const { client, server } = await clientServer(ctx);
    const host = `echo-alias.${server.namespace}.meshbench.internal`;
    const entry: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'echo-alias', namespace: server.namespace },
      spec: {
        hosts: [host],
        // An explicit VIP (from Istio's auto-allocation range): the row must not depend on auto-allocation.
        addresses: ['240.240.0.20'],
        location: 'MESH_INTERNAL',
        resolution: 'STATIC',
        ports: [{ number: 8080, name: 'http', protocol: 'HTTP' }],
        endpoints: server.pods.map((p) => ({ address: p.ip })),
      },
    };
    if (!ctx.control) await ctx.scenario.apply([entry]);
    const probe = () =>
      call(ctx.cluster, client.pod, { to: host, scheme: 'http', count: 2, timeoutMs: 3000 });
    if (ctx.positive) await ctx.expectEventually(`calls to ${host}`, probe, ok());
    else
      await ctx.expectConsistently(`calls to ${host} (no DNS proxy)`, probe, failedAtLeast(2), {
        forMs: 1000,
      });
  }),
);

test(
  ...rowTest('egress.socks5', async (ctx) => {
    const { client, server } = await clientServer(ctx, { enrolClient: !ctx.control });
    const probe = () =>
      call(ctx.cluster, client.pod, {
        to: server.address,
        scheme: 'tcp',
        body: 'socks',
        count: 2,
        newConnectionPerRequest: true,
        socks5: '127.0.0.1:15080',
        timeoutMs: 3000,
      });
    if (ctx.positive) await ctx.expectEventually('calls through SOCKS5 127.0.0.1:15080', probe, ok());
    else
      await ctx.expectConsistently(
        'calls through SOCKS5 127.0.0.1:15080 (no mesh)',
        probe,
        failedAtLeast(2),
        {
          forMs: 500,
        },
      );
  }),
);

test(...rowTest('egress.controlled'));
