/**
 * @module clusters/existing/readiness
 * When is an object ready? Pure functions over the object as the API server returns it, the way
 * `kubectl rollout status` / `kubectl wait` judge it. Tested beside it.
 */
import type { KubeObject } from '../cluster.ts';

/** Ready, not yet (with why), or failed for good (a Job that failed). */
export type Readiness = { ready: true } | { ready: false; reason: string; failed?: boolean };

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

const conditions = (o: KubeObject): Condition[] =>
  ((o.status as { conditions?: Condition[] } | undefined)?.conditions ?? []) as Condition[];

const condition = (o: KubeObject, type: string) => conditions(o).find((c) => c.type === type);

const num = (v: unknown, fallback = 0): number => (typeof v === 'number' ? v : fallback);

/** Judges one object. Kinds without a notion of readiness are ready once they exist. */
export function readinessOf(o: KubeObject): Readiness {
  const spec = (o.spec ?? {}) as Record<string, unknown>;
  const status = (o.status ?? {}) as Record<string, unknown>;
  const generation = num(o.metadata.generation, 0);
  const observed = num(status.observedGeneration, generation);
  const stale = observed < generation;
  switch (o.kind) {
    case 'Deployment': {
      const want = num(spec.replicas, 1);
      const available = num(status.availableReplicas);
      const updated = num(status.updatedReplicas);
      if (stale) return { ready: false, reason: 'rollout not observed yet' };
      if (updated < want || available < want) {
        return { ready: false, reason: `${available}/${want} replicas available` };
      }
      return { ready: true };
    }
    case 'StatefulSet':
    case 'ReplicaSet': {
      const want = num(spec.replicas, 1);
      const ready = num(status.readyReplicas);
      if (stale) return { ready: false, reason: 'rollout not observed yet' };
      return ready >= want ? { ready: true } : { ready: false, reason: `${ready}/${want} replicas ready` };
    }
    case 'DaemonSet': {
      const want = num(status.desiredNumberScheduled);
      const ready = num(status.numberReady);
      if (stale) return { ready: false, reason: 'rollout not observed yet' };
      return ready >= want ? { ready: true } : { ready: false, reason: `${ready}/${want} pods ready` };
    }
    case 'Pod': {
      const phase = status.phase as string | undefined;
      if (phase === 'Succeeded') return { ready: true };
      if (phase === 'Failed')
        return { ready: false, failed: true, reason: `pod failed: ${status.reason ?? ''}`.trim() };
      const c = condition(o, 'Ready');
      if (c?.status === 'True') return { ready: true };
      const waiting = ((status.containerStatuses ?? []) as { state?: { waiting?: { reason?: string } } }[])
        .map((s) => s.state?.waiting?.reason)
        .find(Boolean);
      return { ready: false, reason: waiting ?? c?.reason ?? `phase ${phase ?? 'Pending'}` };
    }
    case 'Job': {
      if (condition(o, 'Complete')?.status === 'True') return { ready: true };
      const failed = condition(o, 'Failed');
      if (failed?.status === 'True') {
        return {
          ready: false,
          failed: true,
          reason: `job failed: ${failed.reason ?? failed.message ?? ''}`.trim(),
        };
      }
      return { ready: false, reason: `${num(status.succeeded)} completions` };
    }
    case 'Namespace': {
      const phase = status.phase as string | undefined;
      return !phase || phase === 'Active' ? { ready: true } : { ready: false, reason: `phase ${phase}` };
    }
    default: {
      // Gateways and other controllers publish Programmed/Ready/Available conditions.
      for (const type of ['Programmed', 'Ready', 'Available']) {
        const c = condition(o, type);
        if (c)
          return c.status === 'True'
            ? { ready: true }
            : { ready: false, reason: `${type}: ${c.reason ?? c.status}` };
      }
      return { ready: true };
    }
  }
}
