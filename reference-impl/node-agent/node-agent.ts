/**
 * @module reference-impl/node-agent/node-agent
 * istio-cni's role on one node: reconciles the desired set of ambient pods (from Pods and
 * Namespaces) with what is installed: enrolment installs the in-pod redirect rules, then hands the
 * pod to ztunnel over ZDS; removal undoes both (rules first). Pods are never restarted: a process
 * started before enrolment is captured from its next connection on. A new pod can also be enrolled
 * by the pod runtime's start hook (`podAdded`, cni-server.ts) before its containers start; such a pod
 * is kept while the watched source has not caught up with it (up to `startHookGraceMs`).
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
  /** How long a pod enrolled by the start hook is kept while the source does not list it yet. */
  startHookGraceMs?: number;
}

/** A running agent. */
export interface NodeAgent {
  /** Pods currently enrolled (rules installed). */
  enrolled(): ZdsPod[];
  readonly zds: ZdsClient;
  /**
   * The pod start hook: enrols `pod` now when it is an ambient pod of this node (rules installed and
   * ztunnel's ack received); `captured` false when it is not a mesh pod. Rejects when ztunnel did
   * not take the pod (the caller retries).
   */
  podAdded(pod: PodLike): Promise<{ captured: boolean }>;
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
  const graceMs = options.startHookGraceMs ?? 60_000;
  /** Pods enrolled by the start hook → until when they are kept without the source listing them. */
  const hooked = new Map<string, number>();
  /** Pods ztunnel acked (its listeners are bound in them). */
  const served = new Set<string>();

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
      if (w && w.netns === pod.netns && w.ips.join() === pod.ips.join()) {
        hooked.delete(uid);
        continue;
      }
      if (!w && (hooked.get(uid) ?? 0) > Date.now()) continue;
      hooked.delete(uid);
      try {
        removeRedirect(pod.netns, exec);
      } catch (err) {
        logger.warn('rule removal failed', { pod: `${pod.namespace}/${pod.name}`, error: String(err) });
      }
      installed.delete(uid);
      served.delete(uid);
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
      if (acked) served.add(uid);
      logger.info('pod added to mesh', { pod: `${pod.namespace}/${pod.name}`, ztunnelAck: acked });
    }
  };
  const enrolNow = async (pod: PodLike): Promise<{ captured: boolean }> => {
    const nsName = pod.metadata.namespace ?? 'default';
    const ns = source.namespaces().find((n) => n.metadata.name === nsName);
    // Its labels decide enrolment: wait (the caller retries) until the source has the namespace.
    if (!ns) throw new Error(`namespace ${nsName} not seen yet`);
    const z = enrolledPod(pod, ns, node);
    if (!z) return { captured: false };
    const cur = installed.get(z.uid);
    const same = cur && cur.netns === z.netns && cur.ips.join() === z.ips.join();
    if (same && served.has(z.uid)) return { captured: true };
    if (!same) {
      installRedirect(z.netns, redirect, exec);
      installed.set(z.uid, z);
    }
    hooked.set(z.uid, Date.now() + graceMs);
    const acked = await zds.add(z);
    if (acked) served.add(z.uid);
    logger.info('pod added to mesh before start', { pod: `${z.namespace}/${z.name}`, ztunnelAck: acked });
    if (!acked) {
      // Not served (e.g. no certificate for it yet): undo, the caller retries the whole step.
      installed.delete(z.uid);
      hooked.delete(z.uid);
      removeRedirect(z.netns, exec);
      await zds.remove(z.uid);
      throw new Error(`ztunnel did not take pod ${z.namespace}/${z.name}`);
    }
    return { captured: true };
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
    podAdded(pod) {
      const run = chain.then(() => enrolNow(pod));
      chain = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    },
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
