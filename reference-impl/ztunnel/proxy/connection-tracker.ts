/**
 * @module reference-impl/ztunnel/proxy/connection-tracker
 * Live inbound connections with the facts they were authorized on, so that a policy change can
 * close those it no longer allows (ztunnel's ConnectionManager), and pod removal can close a pod's.
 */
import type { ConnectionFacts } from './authorize.ts';

/** One tracked connection. */
export interface TrackedConnection {
  /** Destination workload uid the policies were evaluated for. */
  workloadUid: string;
  /** Enrolled pod uid that owns the listener. */
  podUid: string;
  facts: ConnectionFacts;
  close(reason: 'closed-by-policy' | 'pod-removed' | 'shutdown'): void;
}

/** Registry of live connections. */
export interface ConnectionTracker {
  add(c: TrackedConnection): () => void;
  /** All tracked connections (a copy). */
  all(): TrackedConnection[];
  closePod(podUid: string): void;
  size(): number;
}

/** Creates an empty tracker. */
export function createConnectionTracker(): ConnectionTracker {
  const live = new Set<TrackedConnection>();
  return {
    add(c) {
      live.add(c);
      return () => live.delete(c);
    },
    all: () => [...live],
    closePod(podUid) {
      for (const c of [...live]) if (c.podUid === podUid) c.close('pod-removed');
    },
    size: () => live.size,
  };
}
