/**
 * @module clusters/local/daemon/container-start
 * Kubelet's container start order: containers start one after the other in spec order, and a
 * container with a `lifecycle.postStart` httpGet hook holds the next ones until the hook answers
 * 2xx/3xx from inside the pod (polled, as Istio's `pilot-agent wait` does for the sidecar). Without
 * hooks every container starts at once, as before.
 */
import type { Logger } from '../../../core/logger.ts';
import { type ProbeSpec, runProbe } from './probe.ts';

/** The postStart hook of a container spec, if any (httpGet only). */
export function postStartHook(spec: object): ProbeSpec | undefined {
  const hook = (spec as { lifecycle?: { postStart?: { httpGet?: ProbeSpec['httpGet'] } } }).lifecycle
    ?.postStart;
  return hook?.httpGet ? { httpGet: hook.httpGet, timeoutSeconds: 1 } : undefined;
}

/** The pod facts the start order needs (a kubelet PodRuntime). */
export interface StartingPod {
  key: string;
  netns: string;
  ip: string;
  namedPorts: Record<string, number>;
  stopping: boolean;
}

/** Launches `containers` in order, waiting for each one's postStart hook before the next. */
export async function launchInOrder<C extends { spec: object }>(
  pod: StartingPod,
  containers: readonly C[],
  launch: (c: C) => void,
  logger: Logger,
  pollMs = 100,
): Promise<void> {
  for (const c of containers) {
    if (pod.stopping) return;
    launch(c);
    const hook = postStartHook(c.spec);
    if (!hook) continue;
    const started = Date.now();
    let warned = false;
    while (!pod.stopping && !(await runProbe(hook, pod.netns, pod.ip, pod.namedPorts))) {
      if (!warned && Date.now() - started > 15_000) {
        warned = true;
        logger.warn('postStart hook not passing yet; later containers held', { pod: pod.key });
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}
