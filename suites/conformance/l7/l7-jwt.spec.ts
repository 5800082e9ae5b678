/**
 * @module suites/conformance/l7/l7-jwt.spec
 * End-user rows with locally minted JWTs (RS256, JWKS inline in the RequestAuthentication):
 * - `l7.jwt`: a valid token passes, a token signed by another key is rejected with 401.
 *   Negative control: RequestAuthentication not applied.
 * - `l7.jwt-claims`: with an AuthorizationPolicy requiring `scope` = `read`, a `read` token passes and
 *   a `write` token gets 403. Negative control: the AuthorizationPolicy not applied.
 * Without an L7 proxy there is no per-token decision (both tokens get the same answer).
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CallOutcome, KubeObject } from '../../../clusters/cluster.ts';
import { call } from '../../fixtures/call.ts';
import { ok, status } from '../../fixtures/call-checks.ts';
import { check } from '../../fixtures/check.ts';
import { l7PolicyAttachment } from '../../fixtures/mode-labels.ts';
import { rowTest, test } from '../define-row.ts';
import type { RowContext } from '../row-context.ts';
import { clientServer } from '../topology.ts';

const ISSUER = 'https://meshbench.test/issuer';

async function keys(): Promise<{
  jwks: string;
  sign(claims: Record<string, unknown>, forged?: boolean): Promise<string>;
}> {
  const good = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(good.publicKey)), kid: 'meshbench', alg: 'RS256', use: 'sig' };
  return {
    jwks: JSON.stringify({ keys: [jwk] }),
    sign: (claims, forged = false) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'meshbench' })
        .setIssuer(ISSUER)
        .setSubject('user-1')
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(forged ? other.privateKey : good.privateKey),
  };
}

type Pair = Record<'first' | 'second', CallOutcome[]>;

const sameAnswer = check<Pair>('no per-token decision: both tokens get the same answer', (o) => {
  const a = o.first.map((x) => x.status).join(',');
  const b = o.second.map((x) => x.status).join(',');
  return a === b ? undefined : { expected: 'identical statuses', seen: `${a} vs ${b}` };
});

async function setup(ctx: RowContext) {
  const { client, server } = await clientServer(ctx);
  const k = await keys();
  const attach = l7PolicyAttachment(ctx.scenario.modeOf(server.namespace), 'echo');
  const requestAuthn: KubeObject = {
    apiVersion: 'security.istio.io/v1',
    kind: 'RequestAuthentication',
    metadata: { name: 'jwt', namespace: server.namespace },
    spec: { ...attach, jwtRules: [{ issuer: ISSUER, jwks: k.jwks }] },
  };
  const probe = (first: string, second: string) => async (): Promise<Pair> => ({
    first: await call(ctx.cluster, client.pod, {
      to: server.address,
      scheme: 'http',
      count: 2,
      headers: { authorization: `Bearer ${first}` },
    }),
    second: await call(ctx.cluster, client.pod, {
      to: server.address,
      scheme: 'http',
      count: 2,
      headers: { authorization: `Bearer ${second}` },
    }),
  });
  return { server, k, attach, requestAuthn, probe };
}

test(
  ...rowTest('l7.jwt', async (ctx) => {
    const { k, requestAuthn, probe } = await setup(ctx);
    if (!ctx.control) await ctx.scenario.apply([requestAuthn]);
    const p = probe(await k.sign({ scope: 'read' }), await k.sign({ scope: 'read' }, true));
    if (ctx.positive) {
      await ctx.expectEventually(
        'valid and forged tokens',
        p,
        check<Pair>(
          'valid token 200, forged token 401',
          (o) => ok().evaluate(o.first) ?? status(401).evaluate(o.second),
        ),
      );
    } else {
      await ctx.expectConsistently('valid and forged tokens (no L7 proxy)', p, sameAnswer, { forMs: 1000 });
    }
  }),
);

test(
  ...rowTest('l7.jwt-claims', async (ctx) => {
    const { server, k, attach, requestAuthn, probe } = await setup(ctx);
    const policy: KubeObject = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'read-scope', namespace: server.namespace },
      spec: {
        ...attach,
        action: 'ALLOW',
        rules: [{ when: [{ key: 'request.auth.claims[scope]', values: ['read'] }] }],
      },
    };
    await ctx.scenario.apply(ctx.control ? [requestAuthn] : [requestAuthn, policy]);
    const p = probe(await k.sign({ scope: 'read' }), await k.sign({ scope: 'write' }));
    if (ctx.positive) {
      await ctx.expectEventually(
        'read and write tokens',
        p,
        check<Pair>(
          'read token 200, write token 403',
          (o) => ok().evaluate(o.first) ?? status(403).evaluate(o.second),
        ),
      );
    } else {
      await ctx.expectConsistently('read and write tokens (no L7 proxy)', p, sameAnswer, { forMs: 1000 });
    }
  }),
);
