/**
 * @module reference-impl/control-plane/ca/authority
 * The root of trust: generated, or loaded from `--ca-dir` (`root-cert.pem`, `root-key.pem`; the
 * root certificate is always written there for proxies to trust). Signs workload certificates with a
 * SPIFFE URI SAN (TTL configurable down to seconds) and the control plane's own serving certificate.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeshbenchError } from '../../../core/errors.ts';
import {
  type CryptoKey,
  generateKeyPair,
  leafExtensions,
  privateKeyFromPem,
  privateKeyToPem,
  SIGNING_ALGORITHM,
  x509,
} from '../pki/x509.ts';

/** Default workload certificate lifetime: 24 h (Istio's). */
export const DEFAULT_CERT_TTL_SECONDS = 24 * 3600;

export interface IssuedCertificate {
  /** Leaf first, then the root. */
  certChainPem: string[];
  notAfter: Date;
}

export interface CertificateAuthority {
  rootCertPem: string;
  trustDomain: string;
  /** Signs a workload certificate for `spiffeId` over the CSR's public key (CSR signature checked). */
  issueWorkload(csrPem: string, spiffeId: string, ttlSeconds: number): Promise<IssuedCertificate>;
  /** Creates a serving certificate and key for the given DNS names and IPs. */
  issueServing(
    dnsNames: string[],
    ips: string[],
    ttlSeconds?: number,
  ): Promise<{ certPem: string; keyPem: string }>;
}

const randomSerial = (): string => {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[0] = b[0]! & 0x7f;
  return Buffer.from(b).toString('hex');
};

/** Creates a CA: loads the root from `caDir` when present, otherwise generates one (and writes it). */
export async function createCertificateAuthority(options: {
  trustDomain: string;
  caDir?: string;
}): Promise<CertificateAuthority> {
  let rootCert: x509.X509Certificate;
  let rootKey: CryptoKey;
  const certPath = options.caDir && join(options.caDir, 'root-cert.pem');
  const keyPath = options.caDir && join(options.caDir, 'root-key.pem');
  if (certPath && keyPath && existsSync(certPath) && existsSync(keyPath)) {
    rootCert = new x509.X509Certificate(readFileSync(certPath, 'utf8'));
    rootKey = await privateKeyFromPem(readFileSync(keyPath, 'utf8'));
  } else {
    const keys = await generateKeyPair();
    const now = Date.now();
    rootCert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: `O=${options.trustDomain}, CN=meshbench root CA`,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 10 * 365 * 24 * 3600_000),
      keys: keys as never,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
      ],
    });
    rootKey = keys.privateKey;
    if (certPath && keyPath && options.caDir) {
      mkdirSync(options.caDir, { recursive: true });
      writeFileSync(keyPath, await privateKeyToPem(rootKey), { mode: 0o600 });
    }
  }
  const rootCertPem = rootCert.toString('pem');
  if (certPath) writeFileSync(certPath, `${rootCertPem}\n`);
  const aki = await x509.AuthorityKeyIdentifierExtension.create(rootCert.publicKey);

  const sign = async (
    publicKey: x509.PublicKey | CryptoKey,
    ttlSeconds: number,
    extensions: x509.Extension[],
  ) => {
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      issuer: rootCert.subject,
      subject: '',
      // Backdated a little for clock skew, but never by a large part of a short lifetime.
      notBefore: new Date(now - Math.min(5_000, ttlSeconds * 100)),
      notAfter: new Date(now + ttlSeconds * 1000),
      publicKey: publicKey as never,
      signingKey: rootKey as never,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [...leafExtensions(), aki, ...extensions],
    });
    return cert;
  };

  return {
    rootCertPem,
    trustDomain: options.trustDomain,
    async issueWorkload(csrPem, spiffeId, ttlSeconds) {
      let csr: x509.Pkcs10CertificateRequest;
      try {
        csr = new x509.Pkcs10CertificateRequest(csrPem);
      } catch (err) {
        throw new MeshbenchError('E_CA_DENIED', 'malformed CSR: not a PEM PKCS#10 request', { cause: err });
      }
      if (!(await csr.verify())) throw new MeshbenchError('E_CA_DENIED', 'CSR signature does not verify');
      if (!Number.isFinite(ttlSeconds) || ttlSeconds < 1) {
        throw new MeshbenchError('E_CA_DENIED', `invalid certificate TTL ${ttlSeconds}s`);
      }
      const cert = await sign(csr.publicKey, ttlSeconds, [
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: spiffeId }], true),
      ]);
      return { certChainPem: [cert.toString('pem'), rootCertPem], notAfter: cert.notAfter };
    },
    async issueServing(dnsNames, ips, ttlSeconds = 365 * 24 * 3600) {
      const keys = await generateKeyPair();
      const cert = await sign(keys.publicKey, ttlSeconds, [
        new x509.SubjectAlternativeNameExtension([
          ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
          ...ips.map((value) => ({ type: 'ip' as const, value })),
        ]),
      ]);
      return {
        certPem: `${cert.toString('pem')}\n${rootCertPem}\n`,
        keyPem: await privateKeyToPem(keys.privateKey),
      };
    },
  };
}
