/**
 * @module reference-impl/control-plane/client/ca-client.test
 * The CA over real gRPC+TLS on loopback: correct SPIFFE SAN and TTL, cross-node refusal, malformed
 * CSR refusal without affecting others, rotation at half-life.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { silentLogger } from '../../../core/logger.ts';
import { type Serving, startServing } from '../server/serving.ts';
import { caServiceDefinition } from '../wire/grpc-services.ts';
import { createCaClient } from './ca-client.ts';
import { refreshAt, startRotation } from './rotation.ts';

const tokens = new Map([
  ['tok-a', 'node-a'],
  ['tok-b', 'node-b'],
]);
// Pods: ns1/sa1 on node-a, ns2/sa2 on node-b.
const onNode = (node: string, ns: string, sa: string) =>
  (node === 'node-a' && ns === 'ns1' && sa === 'sa1') || (node === 'node-b' && ns === 'ns2' && sa === 'sa2');
let cp: Serving;

before(async () => {
  cp = await startServing({
    host: '127.0.0.1',
    port: 0,
    trustDomain: 'cluster.local',
    nodeTokens: tokens,
    certTtlSeconds: 4,
    identityOnNode: onNode,
    logger: silentLogger,
  });
});
after(() => cp.close(0));

const caFor = (token: string) =>
  createCaClient({ address: `127.0.0.1:${cp.port}`, rootCertPem: cp.ca.rootCertPem, token });

test('issues a certificate with the SPIFFE URI SAN, the configured TTL, chained to the root', async () => {
  const ca = caFor('tok-a');
  try {
    const c = await ca.fetchCertificate('spiffe://cluster.local/ns/ns1/sa/sa1');
    const leaf = new X509Certificate(c.certChainPem);
    assert.equal(leaf.subjectAltName, 'URI:spiffe://cluster.local/ns/ns1/sa/sa1');
    const ttl = (c.notAfter.getTime() - Date.now()) / 1000;
    assert.ok(ttl > 2 && ttl <= 4.5, `ttl ${ttl}`);
    assert.ok(leaf.verify(new X509Certificate(cp.ca.rootCertPem).publicKey));
    assert.match(c.privateKeyPem, /BEGIN PRIVATE KEY/);
    assert.ok(leaf.checkPrivateKey((await import('node:crypto')).createPrivateKey(c.privateKeyPem)));
  } finally {
    ca.close();
  }
});

test('refuses identities of pods on another node, other trust domains and unknown tokens', async () => {
  const a = caFor('tok-a');
  const nobody = caFor('bad');
  try {
    await assert.rejects(
      a.fetchCertificate('spiffe://cluster.local/ns/ns2/sa/sa2'),
      (e: Error & { details?: { grpcCode?: number } }) => {
        assert.equal(e.details?.grpcCode, status.PERMISSION_DENIED);
        return true;
      },
    );
    await assert.rejects(a.fetchCertificate('spiffe://other.domain/ns/ns1/sa/sa1'), /trust domain/);
    await assert.rejects(nobody.fetchCertificate('spiffe://cluster.local/ns/ns1/sa/sa1'), /bearer token/);
  } finally {
    a.close();
    nobody.close();
  }
});

test('a malformed CSR is refused and does not affect the next request', async () => {
  const Ctor = makeGenericClientConstructor(caServiceDefinition(), 'IstioCertificateService');
  const raw = new Ctor(
    `127.0.0.1:${cp.port}`,
    credentials.createSsl(Buffer.from(cp.ca.rootCertPem)),
  ) as unknown as {
    CreateCertificate(req: unknown, md: Metadata, cb: (e: ServiceError | null) => void): void;
    close(): void;
  };
  const md = new Metadata();
  md.set('authorization', 'Bearer tok-a');
  const err = await new Promise<ServiceError | null>((resolve) =>
    raw.CreateCertificate(
      {
        csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----',
        validityDuration: 0,
        metadata: {
          fields: { ImpersonatedIdentity: { stringValue: 'spiffe://cluster.local/ns/ns1/sa/sa1' } },
        },
      },
      md,
      resolve,
    ),
  );
  raw.close();
  assert.equal(err?.code, status.INVALID_ARGUMENT);
  const ca = caFor('tok-b');
  try {
    const c = await ca.fetchCertificate('spiffe://cluster.local/ns/ns2/sa/sa2');
    assert.match(new X509Certificate(c.certChainPem).subjectAltName ?? '', /ns2\/sa\/sa2/);
  } finally {
    ca.close();
  }
});

test('rotation refreshes at half-life', async () => {
  const ca = caFor('tok-a');
  const seen: Date[] = [];
  const rot = await startRotation({
    ca,
    spiffeId: 'spiffe://cluster.local/ns/ns1/sa/sa1',
    onCertificate: (c) => seen.push(c.notAfter),
  });
  try {
    const first = rot.current();
    const due = refreshAt(first).getTime() - Date.now();
    assert.ok(due > 0 && due < 2600, `refresh due in ${due} ms`);
    await new Promise((r) => setTimeout(r, due + 800));
    assert.ok(seen.length >= 2, 'rotated once');
    assert.ok(seen[1]!.getTime() > seen[0]!.getTime());
  } finally {
    rot.stop();
    ca.close();
  }
});
