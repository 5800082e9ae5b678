/**
 * @module suites/conformance/platform/interop.spec
 * Row `interop.sidecar-ambient`: a sidecar client calls an ambient server and an ambient client calls
 * a sidecar server; both succeed over mTLS with the caller's SPIFFE identity reported by the
 * receiving proxy. Negative control: the server namespaces not enrolled (plaintext, no identity).
 */
import { call } from '../../fixtures/call.ts';
import { ok } from '../../fixtures/call-checks.ts';
import { check } from '../../fixtures/check.ts';
import { type MetricSample, peerIdentity } from '../../fixtures/metrics.ts';
import { rowTest, test } from '../define-row.ts';

test(
  ...rowTest('interop.sidecar-ambient', async (ctx) => {
    const s = ctx.scenario;
    const enrolServer = !ctx.control;
    const [sidecarNs, ambientNs, ambientServerNs, sidecarServerNs] = await Promise.all([
      s.namespace('sc-client', { as: 'sidecar' }),
      s.namespace('amb-client', { as: 'ambient' }),
      s.namespace('amb-server', enrolServer ? { as: 'ambient' } : { enrol: false }),
      s.namespace('sc-server', enrolServer ? { as: 'sidecar' } : { enrol: false }),
    ]);
    const [sc, amb, ambServer, scServer] = await s.echoes([
      { namespace: sidecarNs, name: 'client', service: false },
      { namespace: ambientNs, name: 'client', service: false },
      { namespace: ambientServerNs, name: 'echo' },
      { namespace: sidecarServerNs, name: 'echo' },
    ]);
    const pods = [sc!, amb!, ambServer!, scServer!].flatMap((a) => a.pods);
    await ctx.expectEventually(
      'both directions',
      async () => {
        const calls = [
          ...(await call(ctx.cluster, sc!.pod, {
            to: ambServer!.address,
            scheme: 'tcp',
            body: 'interop',
            newConnectionPerRequest: true,
          })),
          ...(await call(ctx.cluster, amb!.pod, {
            to: scServer!.address,
            scheme: 'tcp',
            body: 'interop',
            newConnectionPerRequest: true,
          })),
        ];
        return { calls, samples: await ctx.meshMetrics(pods) };
      },
      check<{ calls: Awaited<ReturnType<typeof call>>; samples: MetricSample[] }>(
        'sidecar→ambient and ambient→sidecar succeed with the caller identity over mTLS',
        (o) =>
          ok().evaluate(o.calls) ??
          peerIdentity(sc!.spiffe).evaluate(o.samples) ??
          peerIdentity(amb!.spiffe).evaluate(o.samples),
      ),
    );
  }),
);
