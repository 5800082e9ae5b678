/**
 * @module suites/conformance/security/keys.spec
 * Rows `security.node-scoped-keys` and `security.no-keys-in-app-pod`.
 * Node-scoped keys: two workloads on different nodes call each other; each node's ztunnel (admin
 * `/config_dump`, localhost-only on 15000, read from the ztunnel's own network) holds the certificate
 * of its local workload and not of the remote one. Negative control: read the other node's ztunnel.
 * No keys in the app pod: from inside an application pod, no proxy admin endpoint hands out key
 * material (sidecar mode must visibly differ: the pod's own proxy admin is there).
 * Negative control: query the ztunnel's admin from its own node network instead.
 */
import type { Cluster, HttpResponse, PodInfo } from '../../../clusters/cluster.ts';
import { call } from '../../fixtures/call.ts';
import { check } from '../../fixtures/check.ts';
import { rowTest, test } from '../define-row.ts';

async function configDump(cluster: Cluster, pod: PodInfo): Promise<HttpResponse> {
  return cluster
    .podHttp(pod, { port: 15000, path: '/config_dump', timeoutMs: 3000 })
    .catch((err: Error) => ({ status: 0, headers: {}, body: `unreachable: ${err.message}` }));
}

/** The certificate section of a ztunnel config dump (Istio's `certificates`), else the whole body. */
function certificateText(body: string): string {
  try {
    const json = JSON.parse(body) as { certificates?: unknown };
    return json.certificates !== undefined ? JSON.stringify(json.certificates) : body;
  } catch {
    return body;
  }
}

test(
  ...rowTest('security.node-scoped-keys', async (ctx) => {
    const s = ctx.scenario;
    const ns = await s.namespace('apps');
    const [a, b] = await s.echoes([
      { namespace: ns, name: 'a' },
      { namespace: ns, name: 'b' },
    ]);
    const nodeA = a!.pods[0]!.node;
    const nodeB = b!.pods[0]!.node;
    if (nodeA === nodeB) ctx.skip(`both workloads landed on node ${nodeA}; the row needs two nodes`);
    const zt = await ctx.ztunnels();
    const ztA = zt.find((p) => p.node === nodeA);
    const ztB = zt.find((p) => p.node === nodeB);
    if (!ztA || !ztB) ctx.skip('no ztunnel on one of the nodes');
    const [readA, readB] = ctx.control ? [ztB!, ztA!] : [ztA!, ztB!];
    await ctx.expectEventually(
      'ztunnel config dumps after calls both ways',
      async () => {
        await call(ctx.cluster, a!.pod, { to: b!.address, scheme: 'tcp', body: 'k' });
        await call(ctx.cluster, b!.pod, { to: a!.address, scheme: 'tcp', body: 'k' });
        const [da, db] = await Promise.all([configDump(ctx.cluster, readA), configDump(ctx.cluster, readB)]);
        return { [nodeA]: certificateText(da.body), [nodeB]: certificateText(db.body) };
      },
      check<Record<string, string>>(
        `ztunnel on ${nodeA} holds only ${a!.spiffe}, on ${nodeB} only ${b!.spiffe}`,
        (dumps) => {
          const problems: string[] = [];
          const has = (node: string, id: string) => dumps[node]?.includes(id) ?? false;
          if (!has(nodeA, a!.spiffe)) problems.push(`${nodeA} lacks its local ${a!.spiffe}`);
          if (!has(nodeB, b!.spiffe)) problems.push(`${nodeB} lacks its local ${b!.spiffe}`);
          if (has(nodeA, b!.spiffe)) problems.push(`${nodeA} holds remote ${b!.spiffe}`);
          if (has(nodeB, a!.spiffe)) problems.push(`${nodeB} holds remote ${a!.spiffe}`);
          return problems.length
            ? { expected: 'each node proxy holds exactly its local identities', seen: problems.join('; ') }
            : undefined;
        },
      ),
    );
  }),
);

test(
  ...rowTest('security.no-keys-in-app-pod', async (ctx) => {
    const ns = await ctx.scenario.namespace('app');
    const app = await ctx.scenario.echo({ namespace: ns, name: 'echo' });
    const zt = (await ctx.ztunnels()).find((p) => p.node === app.pods[0]!.node);
    const target = ctx.control && zt ? zt : app.pods[0]!;
    const hasKeys = (r: HttpResponse) =>
      r.status === 200 &&
      /BEGIN CERTIFICATE|certChain|cert_chain|PRIVATE KEY|"certificates"\s*:\s*\[\s*\{/.test(r.body);
    const dump = await configDump(ctx.cluster, target);
    const summary = {
      from: `${target.namespace}/${target.name}`,
      status: dump.status,
      keyMaterial: hasKeys(dump),
      body: dump.body.slice(0, 200),
    };
    if (ctx.positive) {
      await ctx.expectNow(
        'proxy admin seen from the application pod',
        summary,
        check('no key material reachable from the pod', (o) =>
          o.keyMaterial
            ? { expected: 'no certificate or key', seen: `${o.from} served key material on 15000` }
            : undefined,
        ),
      );
    } else {
      await ctx.expectNow(
        'proxy admin seen from the application pod',
        summary,
        check('the pod reaches its own proxy keys (sidecar)', (o) =>
          o.keyMaterial
            ? undefined
            : { expected: 'a config dump with certificates', seen: `status ${o.status}: ${o.body}` },
        ),
      );
    }
  }),
);
