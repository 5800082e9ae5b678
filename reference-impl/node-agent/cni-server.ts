/**
 * @module reference-impl/node-agent/cni-server
 * The node agent's pod-start hook, the role of Istio's CNI plugin talking to the node agent: the
 * node's pod runtime (kubelet) asks, after it wired a new pod's network namespace and before it
 * starts the pod's containers, whether the pod is captured; the agent enrols it (redirect rules,
 * ztunnel's listeners bound and acked) before answering. So a process that connects as soon as it
 * starts is already captured. JSON lines over a unix socket, one request and one answer per
 * connection:
 *
 *   → {"type":"add","pod":{"metadata":{name,namespace,uid,labels,annotations},
 *       "spec":{nodeName,serviceAccountName},"status":{podIP,podIPs,phase}}}   (a Pod's own fields)
 *   ← {"ok":true,"captured":true|false}   or   {"ok":false,"error":"..."}   (retry later)
 */
import net from 'node:net';
import type { Logger } from '../../core/logger.ts';
import { listenUnix } from '../../core/unix-listener.ts';
import type { PodLike } from './enrolment.ts';

/** The answer to one `add`. */
export type CniAnswer = { ok: true; captured: boolean } | { ok: false; error: string };

/** What the server drives. */
export interface CniHandler {
  /** Enrols `pod` when it is an ambient pod of this node; resolves once capture is in place. */
  podAdded(pod: PodLike): Promise<{ captured: boolean }>;
}

const MAX_REQUEST_BYTES = 256 * 1024;

/** Parses one request line; throws with the reason when it is not an `add` of a pod. */
export function parseCniRequest(line: string): PodLike {
  const m = JSON.parse(line) as {
    type?: unknown;
    pod?: { metadata?: { name?: unknown; namespace?: unknown } };
  };
  if (m?.type !== 'add') throw new Error('expected {"type":"add","pod":{...}}');
  const md = m.pod?.metadata;
  if (typeof md?.name !== 'string' || typeof md.namespace !== 'string' || !md.name || !md.namespace)
    throw new Error('pod.metadata.name and pod.metadata.namespace must be non-empty strings');
  return m.pod as PodLike;
}

/** Listens on `path` (an old socket file is replaced). */
export function startCniServer(
  path: string,
  handler: CniHandler,
  logger: Logger,
): Promise<{ close(): void }> {
  const server = net.createServer((conn) => {
    let buf = '';
    let answered = false;
    const answer = (a: CniAnswer) => {
      answered = true;
      if (!conn.destroyed) conn.end(`${JSON.stringify(a)}\n`);
    };
    conn.on('error', () => {});
    conn.on('data', (d) => {
      if (answered) return;
      buf += d.toString('utf8');
      if (buf.length > MAX_REQUEST_BYTES) {
        answer({ ok: false, error: 'request too large' });
        return;
      }
      const i = buf.indexOf('\n');
      if (i < 0) return;
      answered = true;
      let pod: PodLike;
      try {
        pod = parseCniRequest(buf.slice(0, i));
      } catch (err) {
        answer({ ok: false, error: `bad request: ${(err as Error).message}` });
        return;
      }
      handler.podAdded(pod).then(
        (r) => answer({ ok: true, captured: r.captured }),
        (err: unknown) => {
          logger.warn('pod start hook: enrolment failed', {
            pod: `${pod.metadata.namespace}/${pod.metadata.name}`,
            error: String(err),
          });
          answer({ ok: false, error: String(err) });
        },
      );
    });
  });
  return listenUnix(server, path);
}
