/**
 * @module suites/conformance/security/encryption.spec
 * Row `security.encryption`: a plaintext marker sent pod to pod is never visible on the wire, which
 * carries TLS records instead (HBONE on 15008 in ambient). Baseline must show the marker in clear.
 * Negative control: namespaces not enrolled — the marker then crosses in clear text.
 */
import { randomBytes } from 'node:crypto';
import type { CapturedSegment, CaptureTarget } from '../../../clusters/cluster.ts';
import { call } from '../../fixtures/call.ts';
import { echoed, ok } from '../../fixtures/call-checks.ts';
import { allOf } from '../../fixtures/check.ts';
import { mtls, plaintextAbsent, plaintextVisible } from '../../fixtures/wire-checks.ts';
import { rowTest, test } from '../define-row.ts';
import { clientServer } from '../topology.ts';

test(
  ...rowTest('security.encryption', async (ctx) => {
    ctx.requireCapability('capture');
    const enrol = !ctx.control;
    const { client, server } = await clientServer(ctx, { enrolClient: enrol, enrolServer: enrol });
    const marker = `meshbench-marker-${randomBytes(6).toString('hex')}`;
    const spec = {
      to: server.address,
      scheme: 'tcp' as const,
      body: marker,
      count: 3,
      newConnectionPerRequest: true,
    };
    await ctx.expectEventually(
      'client reaches server',
      () => call(ctx.cluster, client.pod, spec),
      allOf(ok(), echoed(marker)),
    );
    const sameNode = client.pods[0]!.node === server.pods[0]!.node;
    const target: CaptureTarget = sameNode ? { pod: server.pod } : { underlay: true };
    await ctx.attach('capture-target', {
      target,
      clientNode: client.pods[0]!.node,
      serverNode: server.pods[0]!.node,
    });
    const capture = await ctx.cluster.capture(target, { filter: 'tcp' });
    let segments: CapturedSegment[] = [];
    let outcomes: Awaited<ReturnType<typeof call>> = [];
    try {
      outcomes = await call(ctx.cluster, client.pod, spec);
    } finally {
      segments = await capture.stop();
    }
    await ctx.expectNow('calls during capture', outcomes, allOf(ok(), echoed(marker)));
    if (ctx.positive) {
      const port = ctx.mode === 'ambient' || ctx.mode === 'waypoint' ? 15008 : undefined;
      await ctx.expectNow('wire between the pods', segments, allOf(plaintextAbsent(marker), mtls(port)));
    } else {
      await ctx.expectNow('wire between the pods (no mesh)', segments, plaintextVisible(marker));
    }
  }),
);
