/**
 * @module reference-impl/node-agent/config-dir-source
 * Pods and Namespaces from the local cluster's flat config directory, through the control plane's
 * own directory source and config store (same parsing and validation).
 */
import type { Logger } from '../../core/logger.ts';
import { createConfigStore } from '../control-plane/config/config-store.ts';
import { createEventLog } from '../control-plane/config/event-log.ts';
import { startFileSource } from '../control-plane/config/file-source.ts';
import type { NamespaceLike, PodLike } from './enrolment.ts';
import type { PodSource } from './node-agent.ts';

/** Watches `dir`; resolves after the first load. */
export async function startConfigDirSource(
  dir: string,
  logger: Logger,
  rescanMs = 1000,
): Promise<PodSource & { stop(): void }> {
  const store = createConfigStore({ logger, events: createEventLog(200) });
  const fileSource = await startFileSource({ dir, store, logger, rescanMs });
  return {
    pods: () => store.list('Pod') as unknown as PodLike[],
    namespaces: () => store.list('Namespace') as unknown as NamespaceLike[],
    onChange(fn) {
      return store.onChange((c) => {
        if (c.kind === 'Pod' || c.kind === 'Namespace') fn();
      });
    },
    stop: () => fileSource.stop(),
  };
}
