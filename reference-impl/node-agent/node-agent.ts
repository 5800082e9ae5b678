/**
 * @module reference-impl/node-agent/node-agent
 * istio-cni's role on one node: reconciles the desired set of ambient pods (from Pods and
 * Namespaces) with what is installed: enrolment installs the in-pod redirect rules, then hands the
 * pod to ztunnel over ZDS; removal undoes both (rules first). Pods are never restarted: a process
 * started before enrolment is captured from its next connection on.
 */
import type { Logger } from '../../core/logger.ts';
import type { ZdsPod } from '../ztunnel/zds/protocol.ts';
import { enrolledPod, type NamespaceLike, type PodLike } from './enrolment.ts';
import {
  defaultRedirectOptions,
  installRedirect,
  type NetnsExec,
  nsenterExec,
  type RedirectOptions,
  removeRedirect,
} from './redirect-rules.ts';
import { createZdsClient, type ZdsClient } from './zds-client.ts';

/** Where the agent reads pods and namespaces from. */
export interface PodSource {
  pods(): PodLike[];
  namespaces(): NamespaceLike[];
  onChange(fn: () => void): () => void;
}

/** Options of the agent. */
export interface NodeAgentOptions {
  node: string;
  zdsSocket: string;
  source: PodSource;
  logger: Logger;
  redirect?: RedirectOptions;
  exec?: NetnsExec;
}

/** A running agent. */
export interface NodeAgent {
  /** Pods currently enrolled (rules installed). */
  enrolled(): ZdsPod[];
  readonly zds: ZdsClient;
  /** Resolves when the current desired set is applied. */
  settle(): Promise<void>;
  /** Stops; `uninstall` also removes every pod's rules and tells ztunnel. */
  close(options?: { uninstall?: boolean }): Promise<void>;
}

/** Starts the agent. */
export function startNodeAgent(options: NodeAgentOptions): NodeAgent {
  const { node, source, logger } = options;
  const exec = options.exec ?? nsenterExec;
  const redirect = options.redirect ?? defaultRedirectOptions;
  const installed = new Map<string, ZdsPod>();
  const zds = createZdsClient(
    options.zdsSocket,
    () => [...installed.values()],
    logger.child({ scope: 'zds' }),
  );
  let chain = Promise.resolve();

  const desired = (): Map<string, ZdsPod> => {
    const namespaces = new Map(source.namespaces().map((n) => [n.metadata.name, n]));
    const out = new Map<string, ZdsPod>();
    for (const p of source.pods()) {
      const z = enrolledPod(p, namespaces.get(p.metadata.namespace ?? 'default'), node);
      if (z) out.set(z.uid, z);
    }
    return out;
  };

  const reconcile = async () => {
    const want = desired();
    for (const [uid, pod] of installed) {
      const w = want.get(uid);
      if (w && w.netns === pod.netns && w.ips.join() === pod.ips.join()) continue;
      try {
        removeRedirect(pod.netns, exec);
      } catch (err) {
        logger.warn('rule removal failed', { pod: `${pod.namespace}/${pod.name}`, error: String(err) });
      }
      installed.delete(uid);
      await zds.remove(uid);
      logger.info('pod removed from mesh', { pod: `${pod.namespace}/${pod.name}` });
    }
    for (const [uid, pod] of want) {
      if (installed.has(uid)) continue;
      try {
        installRedirect(pod.netns, redirect, exec);
      } catch (err) {
        logger.error('enrolment failed', { pod: `${pod.namespace}/${pod.name}`, error: String(err) });
        continue;
      }
      installed.set(uid, pod);
      const acked = await zds.add(pod);
      logger.info('pod added to mesh', { pod: `${pod.namespace}/${pod.name}`, ztunnelAck: acked });
    }
  };
  const schedule = () => {
    chain = chain.then(reconcile).catch((err) => logger.error('reconcile failed', { error: String(err) }));
    return chain;
  };
  const unsubscribe = source.onChange(() => void schedule());
  void schedule();

  return {
    enrolled: () => [...installed.values()],
    zds,
    settle: () => schedule(),
    async close(opts = {}) {
      unsubscribe();
      await chain;
      if (opts.uninstall) {
        for (const pod of installed.values()) {
          removeRedirect(pod.netns, exec);
          await zds.remove(pod.uid);
        }
        installed.clear();
      }
      zds.close();
    },
  };
}
