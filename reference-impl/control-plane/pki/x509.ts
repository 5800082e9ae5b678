/**
 * @module reference-impl/control-plane/pki/x509
 * The X.509 primitives the CA and its clients share, on @peculiar/x509 with Node's WebCrypto:
 * ECDSA P-256 keys, PEM import/export, CSRs carrying a SPIFFE URI SAN, and reading SANs back.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

/** A WebCrypto key (Node's). */
export type CryptoKey = webcrypto.CryptoKey;
/** A WebCrypto key pair (Node's). */
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** OID of the Subject Alternative Name extension. */
const SAN_OID = '2.5.29.17';

/** ECDSA P-256 with SHA-256, used for every key and signature. */
export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

export { x509 };

/** Generates an extractable ECDSA P-256 key pair. */
export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** A private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** Imports a PKCS#8 PEM ECDSA P-256 private key for signing. */
export async function privateKeyFromPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('no PEM block in private key');
  return (await webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, true, ['sign'])) as CryptoKey;
}

/**
 * The extensions every leaf (workload or serving) certificate carries: not a CA, digital signature
 * and key encipherment, usable for both TLS server and client authentication.
 */
export function leafExtensions(): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
  ];
}

/** Creates a PEM CSR for `keys` carrying `uris` (SPIFFE IDs) as URI SANs. */
export async function createCsrPem(keys: CryptoKeyPair, uris: string[]): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    keys: keys as never,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.SubjectAlternativeNameExtension(uris.map((value) => ({ type: 'url' as const, value }))),
    ],
  });
  return csr.toString('pem');
}

/** URI SANs of a certificate. */
export function uriSans(cert: x509.X509Certificate | x509.Pkcs10CertificateRequest): string[] {
  const raw = cert.getExtension(SAN_OID);
  const ext = raw ? new x509.SubjectAlternativeNameExtension(raw.rawData) : undefined;
  return ext ? ext.names.items.filter((n) => n.type === 'url').map((n) => n.value) : [];
}

/** Splits a PEM bundle into its certificate blocks. */
export function splitPemChain(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
