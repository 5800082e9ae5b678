/**
 * @module reference-impl/ztunnel/identity/tls-options
 * TLS for HBONE: TLS 1.3 only, ALPN `h2`, mutual authentication against the mesh root, no SNI.
 * Peer identity is the SPIFFE URI SAN of the peer's leaf certificate.
 */
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import type { WorkloadCertificate } from './certificates.ts';

/** Options shared by HBONE client and server contexts. */
export function tlsContextOptions(cert: WorkloadCertificate): SecureContextOptions {
  return {
    cert: cert.certChainPem,
    key: cert.privateKeyPem,
    ca: cert.rootCertPem,
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
  };
}

/** The SPIFFE identities (URI SANs) of the verified peer certificate; empty when none. */
export function peerIdentities(socket: TLSSocket): string[] {
  const cert = socket.getPeerX509Certificate?.();
  const san = cert?.subjectAltName ?? '';
  const out: string[] = [];
  for (const part of san.split(/,\s*/)) {
    if (part.startsWith('URI:spiffe://')) out.push(part.slice(4));
  }
  return out;
}

/** Trust domain of a SPIFFE id (`spiffe://<td>/...`). */
export function trustDomainOf(id: string): string | undefined {
  return /^spiffe:\/\/([^/]+)\//.exec(id)?.[1];
}
