/**
 * @module reference-impl/ztunnel/identity/test-ca
 * A throwaway certificate authority for tests and for running ztunnel without a control plane:
 * mints a root and short-lived workload certificates with a SPIFFE URI SAN, as Istio's CA does.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { leafExtensions } from '../../control-plane/pki/x509.ts';
import type { WorkloadCertificate } from './certificates.ts';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const crypto = webcrypto;
x509.cryptoProvider.set(crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A CA that issues workload certificates. */
export interface TestCa {
  readonly rootCertPem: string;
  /** Issues a certificate for `spiffeId`; validity defaults to 24 h from one minute ago. */
  issue(spiffeId: string, options?: { notBefore?: Date; notAfter?: Date }): Promise<WorkloadCertificate>;
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey('pkcs8', key));
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64}-----END PRIVATE KEY-----\n`;
}

/** Creates a CA with a fresh self-signed root named after `trustDomain`. */
export async function createTestCa(trustDomain = 'cluster.local'): Promise<TestCa> {
  const rootKeys = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `O=${trustDomain}, CN=meshbench test root`,
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + 10 * 86_400_000),
    keys: rootKeys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const rootCertPem = root.toString('pem');
  let serial = 1;
  return {
    rootCertPem,
    async issue(spiffeId, options = {}) {
      const keys = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
      const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
      const notAfter = options.notAfter ?? new Date(Date.now() + 86_400_000);
      serial += 1;
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial.toString(16).padStart(2, '0'),
        subject: '',
        issuer: root.subject,
        notBefore,
        notAfter,
        signingAlgorithm: ALG,
        publicKey: keys.publicKey,
        signingKey: rootKeys.privateKey,
        extensions: [
          ...leafExtensions(),
          new x509.SubjectAlternativeNameExtension([{ type: 'url', value: spiffeId }], true),
        ],
      });
      return {
        certChainPem: cert.toString('pem'),
        privateKeyPem: await exportKeyPem(keys.privateKey),
        notAfter,
        rootCertPem,
      };
    },
  };
}
