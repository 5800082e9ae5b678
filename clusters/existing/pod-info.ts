/**
 * @module clusters/existing/pod-info
 * A Kubernetes `V1Pod` as the harness sees it (`PodInfo`). Pure, tested beside it.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { PodInfo, PodPhase } from '../cluster.ts';

const PHASES: readonly PodPhase[] = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];

/** Converts a pod; containers appear in spec order, with their status where known. */
export function toPodInfo(pod: V1Pod): PodInfo {
  const statuses = pod.status?.containerStatuses ?? [];
  const containers = (pod.spec?.containers ?? []).map((c) => {
    const s = statuses.find((x) => x.name === c.name);
    const exitCode = s?.state?.terminated?.exitCode ?? s?.lastState?.terminated?.exitCode;
    return {
      name: c.name,
      running: Boolean(s?.state?.running),
      restarts: s?.restartCount ?? 0,
      ...(exitCode !== undefined ? { exitCode } : {}),
    };
  });
  const phase = PHASES.includes(pod.status?.phase as PodPhase) ? (pod.status?.phase as PodPhase) : 'Unknown';
  return {
    namespace: pod.metadata?.namespace ?? 'default',
    name: pod.metadata?.name ?? '',
    node: pod.spec?.nodeName ?? '',
    ip: pod.status?.podIP ?? '',
    phase,
    ready: (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    labels: { ...(pod.metadata?.labels ?? {}) },
    serviceAccount: pod.spec?.serviceAccountName ?? 'default',
    restarts: containers.reduce((sum, c) => sum + c.restarts, 0),
    containers,
    hostNetwork: Boolean(pod.spec?.hostNetwork),
  };
}
