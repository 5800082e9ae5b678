/**
 * @module reference-impl/ztunnel/proxy/policy-watch
 * Re-authorizes live connections whenever workloads or policies change, closing the ones the new
 * policies no longer allow (ztunnel's ConnectionManager + PolicyWatcher).
 */
import type { Logger } from '../../../core/logger.ts';
import type { WorkloadState } from '../state/workload-store.ts';
import { authorize } from './authorize.ts';
import type { ConnectionTracker } from './connection-tracker.ts';

/** Starts watching; returns the unsubscribe function. */
export function watchPolicies(state: WorkloadState, tracker: ConnectionTracker, logger: Logger): () => void {
  return state.subscribe((change) => {
    if (change.kind === 'service') return;
    for (const c of tracker.all()) {
      const w = state.workloadByUid(c.workloadUid) ?? state.workloadByIp(c.facts.destinationIp);
      if (!w) continue;
      const d = authorize(state.policiesFor(w), c.facts);
      if (!d.allowed) {
        logger.info('closing connection no longer allowed', {
          dst: c.facts.destinationIp,
          policy: d.policy,
          reason: d.reason,
        });
        c.close('closed-by-policy');
      }
    }
  });
}
