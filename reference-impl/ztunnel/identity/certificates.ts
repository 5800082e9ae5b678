/**
 * @module reference-impl/ztunnel/identity/certificates
 * Workload certificates: where they come from (an injected `CertificateSource`, the control plane's
 * CA client in production, a test CA in tests) and a cache that rotates each one at half-life.
 * Rotation swaps the certificate for *new* handshakes only, so no request fails during it.
 */
import type { Logger } from '../../../core/logger.ts';

/** A workload certificate, as the CA client returns it. */
export interface WorkloadCertificate {
  certChainPem: string;
  privateKeyPem: string;
  notAfter: Date;
  rootCertPem: string;
}

/** Fetches a certificate for a SPIFFE identity (the control plane's `createCaClient`). */
export interface CertificateSource {
  fetchCertificate(spiffeId: string): Promise<WorkloadCertificate>;
}

/** Caches certificates per identity and rotates them at half-life. */
export interface CertificateManager {
  /** The current certificate for `spiffeId`, fetching it on first use. */
  get(spiffeId: string): Promise<WorkloadCertificate>;
  /** The cached certificate, if any (no fetch). */
  peek(spiffeId: string): WorkloadCertificate | undefined;
  /** Called after a certificate was replaced. Returns an unsubscribe function. */
  onRotate(fn: (spiffeId: string, cert: WorkloadCertificate) => void): () => void;
  /** Stops tracking `spiffeId` (its last pod left). */
  forget(spiffeId: string): void;
  /** Identities and expiry, never keys (for `/certs`). */
  list(): Array<{ identity: string; notAfter: string; certChainPem: string }>;
  close(): void;
}

interface Entry {
  cert?: WorkloadCertificate;
  pending?: Promise<WorkloadCertificate>;
  timer?: NodeJS.Timeout;
}

/** Creates a certificate manager over `source`. `minRefreshMs` bounds retries after errors. */
export function createCertificateManager(
  source: CertificateSource,
  logger: Logger,
  options: { minRefreshMs?: number } = {},
): CertificateManager {
  const entries = new Map<string, Entry>();
  const listeners = new Set<(id: string, cert: WorkloadCertificate) => void>();
  const minRefresh = options.minRefreshMs ?? 1000;

  const schedule = (id: string, entry: Entry, cert: WorkloadCertificate) => {
    const remaining = cert.notAfter.getTime() - Date.now();
    const delay = Math.max(minRefresh, Math.min(remaining / 2, 2 ** 31 - 1));
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => void refresh(id), delay);
    entry.timer.unref();
  };

  const refresh = async (id: string): Promise<WorkloadCertificate> => {
    const entry = entries.get(id);
    if (!entry) throw new Error(`no certificate entry for ${id}`);
    try {
      const cert = await source.fetchCertificate(id);
      if (entries.get(id) !== entry) return cert;
      const rotated = entry.cert !== undefined;
      entry.cert = cert;
      schedule(id, entry, cert);
      if (rotated) {
        logger.info('certificate rotated', { identity: id, notAfter: cert.notAfter.toISOString() });
        for (const fn of listeners) fn(id, cert);
      }
      return cert;
    } catch (err) {
      logger.warn('certificate fetch failed; will retry', { identity: id, error: String(err) });
      clearTimeout(entry.timer);
      entry.timer = setTimeout(() => void refresh(id), minRefresh);
      entry.timer.unref();
      throw err;
    }
  };

  return {
    get(id) {
      let entry = entries.get(id);
      if (!entry) {
        entry = {};
        entries.set(id, entry);
      }
      if (entry.cert) return Promise.resolve(entry.cert);
      if (!entry.pending) {
        const e = entry;
        e.pending = refresh(id).finally(() => {
          e.pending = undefined;
        });
      }
      return entry.pending!;
    },
    peek: (id) => entries.get(id)?.cert,
    onRotate(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    forget(id) {
      clearTimeout(entries.get(id)?.timer);
      entries.delete(id);
    },
    list: () =>
      [...entries].flatMap(([identity, e]) =>
        e.cert
          ? [{ identity, notAfter: e.cert.notAfter.toISOString(), certChainPem: e.cert.certChainPem }]
          : [],
      ),
    close() {
      for (const e of entries.values()) clearTimeout(e.timer);
      entries.clear();
    },
  };
}
