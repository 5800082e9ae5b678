/**
 * @module reference-impl/control-plane/client/rotation
 * Keeps a workload certificate fresh: fetches one now and again at half its lifetime (Istio's
 * rotation point), retrying with backoff when the CA is unreachable, and hands each new one to
 * `onCertificate`.
 */
import type { Logger } from '../../../core/logger.ts';
import { silentLogger } from '../../../core/logger.ts';
import type { CaClient, WorkloadCertificate } from './ca-client.ts';

export interface RotationOptions {
  ca: CaClient;
  spiffeId: string;
  onCertificate: (cert: WorkloadCertificate) => void;
  logger?: Logger;
  /** Retry delay after a failed fetch; default 1 s, doubling to 30 s. */
  retryMs?: number;
}

/** When to refresh a certificate: half-way between notBefore and notAfter. */
export function refreshAt(cert: Pick<WorkloadCertificate, 'notBefore' | 'notAfter'>): Date {
  return new Date(cert.notBefore.getTime() + (cert.notAfter.getTime() - cert.notBefore.getTime()) / 2);
}

/** Starts rotating; resolves with the first certificate; `stop()` ends it. */
export async function startRotation(
  options: RotationOptions,
): Promise<{ current: () => WorkloadCertificate; stop: () => void }> {
  const logger = options.logger ?? silentLogger;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let current = await options.ca.fetchCertificate(options.spiffeId);
  options.onCertificate(current);
  let retry = options.retryMs ?? 1000;
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(tick, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
  };
  const tick = async () => {
    try {
      current = await options.ca.fetchCertificate(options.spiffeId);
      retry = options.retryMs ?? 1000;
      if (stopped) return;
      options.onCertificate(current);
      schedule(refreshAt(current).getTime() - Date.now());
    } catch (err) {
      logger.warn('rotation: refresh failed, retrying', {
        spiffeId: options.spiffeId,
        error: String(err),
        retryMs: retry,
      });
      schedule(retry);
      retry = Math.min(retry * 2, 30_000);
    }
  };
  schedule(refreshAt(current).getTime() - Date.now());
  return {
    current: () => current,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
