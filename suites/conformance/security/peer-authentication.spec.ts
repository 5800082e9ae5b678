/**
 * @module suites/conformance/security/peer-authentication.spec
 * Row `security.peer-authentication`: with PeerAuthentication STRICT in the server namespace, a mesh
 * client still gets in and a plaintext (unenrolled) client is refused. Without a mesh (baseline) the
 * policy must have no effect. Negative control: PeerAuthentication not applied.
 */
import type { KubeObject } from '../../../clusters/cluster.ts';
import { call } from '../../fixtures/call.ts';
import { denied, ok } from '../../fixtures/call-checks.ts';
import { each } from '../../fixtures/check.ts';
import { rowTest, test } from '../define-row.ts';

test(
  ...rowTest('security.peer-authentication', async (ctx) => {
    const s = ctx.scenario;
    const [meshNs, plainNs, serverNs] = await Promise.all([
      s.namespace('mesh', { role: 'client' }),
      s.namespace('plain', { enrol: false }),
      s.namespace('server', { role: 'server' }),
    ]);
    const [mesh, plain, server] = await s.echoes([
      { namespace: meshNs, name: 'client', service: false },
      { namespace: plainNs, name: 'client', service: false },
      { namespace: serverNs, name: 'echo' },
    ]);
    const policy: KubeObject = {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'strict', namespace: serverNs },
      spec: { mtls: { mode: 'STRICT' } },
    };
    if (!ctx.control) await s.apply([policy]);
    const spec = {
      to: server!.address,
      scheme: 'tcp' as const,
      body: 'pa',
      count: 2,
      newConnectionPerRequest: true,
      timeoutMs: 2000,
    };
    const probe = async () => ({
      mesh: await call(ctx.cluster, mesh!.pod, spec),
      plaintext: await call(ctx.cluster, plain!.pod, spec),
    });
    if (ctx.positive)
      await ctx.expectEventually(
        'mesh and plaintext clients',
        probe,
        each({ mesh: ok(), plaintext: denied() }),
      );
    else
      await ctx.expectConsistently(
        'mesh and plaintext clients (policy without mesh)',
        probe,
        each({ mesh: ok(), plaintext: ok() }),
      );
  }),
);
