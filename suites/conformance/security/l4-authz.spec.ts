/**
 * @module suites/conformance/security/l4-authz.spec
 * Rows `security.l4-authz.principal` and `security.l4-authz.network`: an ALLOW AuthorizationPolicy
 * with only L4 attributes (source principal, or source IP block) lets the allowed client in and
 * denies the other. Baseline: the policy has no effect. Negative control: the policy not applied.
 */
import type { KubeObject } from '../../../clusters/cluster.ts';
import { call } from '../../fixtures/call.ts';
import { denied, ok } from '../../fixtures/call-checks.ts';
import { each } from '../../fixtures/check.ts';
import { policyAttachment } from '../../fixtures/mode-labels.ts';
import { type RowBody, rowTest, test } from '../define-row.ts';
import { clientServer } from '../topology.ts';

function l4AuthzBody(source: 'principal' | 'network'): RowBody {
  return async (ctx) => {
    const { client, server, other } = await clientServer(ctx, { otherClient: true });
    const from =
      source === 'principal'
        ? { principals: [client.spiffe.replace(/^spiffe:\/\//, '')] }
        : { ipBlocks: [`${client.pods[0]!.ip}/32`] };
    const policy: KubeObject = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: `allow-${source}`, namespace: server.namespace },
      spec: {
        ...policyAttachment(ctx.scenario.modeOf(server.namespace)),
        action: 'ALLOW',
        rules: [{ from: [{ source: from }] }],
      },
    };
    if (!ctx.control) await ctx.scenario.apply([policy]);
    const spec = {
      to: server.address,
      scheme: 'tcp' as const,
      body: 'authz',
      count: 2,
      newConnectionPerRequest: true,
      timeoutMs: 2000,
    };
    const probe = async () => ({
      allowed: await call(ctx.cluster, client.pod, spec),
      other: await call(ctx.cluster, other!.pod, spec),
    });
    if (ctx.positive)
      await ctx.expectEventually('allowed and other client', probe, each({ allowed: ok(), other: denied() }));
    else
      await ctx.expectConsistently(
        'allowed and other client (policy without mesh)',
        probe,
        each({ allowed: ok(), other: ok() }),
      );
  };
}

test(...rowTest('security.l4-authz.principal', l4AuthzBody('principal')));
test(...rowTest('security.l4-authz.network', l4AuthzBody('network')));
