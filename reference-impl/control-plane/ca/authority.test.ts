/**
 * @module reference-impl/control-plane/ca/authority.test
 * The root of trust persists in --ca-dir across restarts; the serving certificate carries the listen
 * IPs and istiod's names; bad CSRs are refused with E_CA_DENIED.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasCode } from '../../../core/errors.ts';
import { createCsrPem, generateKeyPair } from '../pki/x509.ts';
import { ISTIOD_DNS_NAMES, servingIps } from '../server/serving.ts';
import { createCertificateAuthority } from './authority.ts';

test('root is written to --ca-dir and loaded again after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cp-ca-'));
  try {
    const a = await createCertificateAuthority({ trustDomain: 'cluster.local', caDir: dir });
    assert.equal(readFileSync(join(dir, 'root-cert.pem'), 'utf8').trim(), a.rootCertPem.trim());
    const b = await createCertificateAuthority({ trustDomain: 'cluster.local', caDir: dir });
    assert.equal(b.rootCertPem, a.rootCertPem);
    const keys = await generateKeyPair();
    const issued = await b.issueWorkload(
      await createCsrPem(keys, []),
      'spiffe://cluster.local/ns/a/sa/b',
      30,
    );
    const leaf = new X509Certificate(issued.certChainPem[0]!);
    assert.ok(
      leaf.verify(new X509Certificate(a.rootCertPem).publicKey),
      'cert from the restarted CA chains to the old root',
    );
    assert.ok(new X509Certificate(a.rootCertPem).ca);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serving certificate SANs: listen IPs, loopback and istiod names', async () => {
  const ca = await createCertificateAuthority({ trustDomain: 'cluster.local' });
  const ips = servingIps('198.18.0.2');
  assert.deepEqual(ips.sort(), ['127.0.0.1', '198.18.0.2']);
  const s = await ca.issueServing(ISTIOD_DNS_NAMES, ips);
  const san = new X509Certificate(s.certPem).subjectAltName ?? '';
  for (const want of ['DNS:istiod.istio-system.svc', 'IP Address:198.18.0.2', 'IP Address:127.0.0.1'])
    assert.ok(san.includes(want), `${want} in ${san}`);
  assert.ok(servingIps('0.0.0.0').includes('127.0.0.1'));
});

test('malformed CSR and bad TTL are refused with E_CA_DENIED', async () => {
  const ca = await createCertificateAuthority({ trustDomain: 'cluster.local' });
  await assert.rejects(ca.issueWorkload('garbage', 'spiffe://cluster.local/ns/a/sa/b', 60), (e) =>
    hasCode(e, 'E_CA_DENIED'),
  );
  const csr = await createCsrPem(await generateKeyPair(), []);
  await assert.rejects(ca.issueWorkload(csr, 'spiffe://cluster.local/ns/a/sa/b', 0), (e) =>
    hasCode(e, 'E_CA_DENIED'),
  );
});
