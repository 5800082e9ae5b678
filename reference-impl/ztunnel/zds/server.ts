/**
 * @module reference-impl/ztunnel/zds/server
 * ztunnel's side of ZDS: a unix socket server. Messages from one agent connection are applied one at
 * a time, in order, each acked after it took effect (listeners bound, or closed).
 */
import net from 'node:net';
import type { Logger } from '../../../core/logger.ts';
import { listenUnix } from '../../../core/unix-listener.ts';
import { parseZdsRequest, type ZdsPod, type ZdsResponse } from './protocol.ts';

/** What the server drives. */
export interface ZdsHandler {
  addPod(pod: ZdsPod): Promise<void>;
  removePod(uid: string): Promise<void>;
  /** After a snapshot: remove every pod not in `keep`. */
  reconcile(keep: Set<string>): Promise<void>;
}

/** Starts listening on `path` (an old socket file is replaced). */
export function startZdsServer(
  path: string,
  handler: ZdsHandler,
  logger: Logger,
): Promise<{ close(): void }> {
  const conns = new Set<net.Socket>();
  const server = net.createServer((conn) => {
    conns.add(conn);
    conn.on('close', () => conns.delete(conn));
    const send = (r: ZdsResponse) => {
      if (!conn.destroyed) conn.write(`${JSON.stringify(r)}\n`);
    };
    send({ type: 'hello', version: 1 });
    let buf = '';
    let chain = Promise.resolve();
    let snapshot: Set<string> | undefined = new Set();
    conn.on('error', () => {});
    conn.on('data', (d) => {
      buf += d.toString('utf8');
      if (buf.length > 1_000_000) {
        conn.destroy();
        return;
      }
      let i = buf.indexOf('\n');
      while (i >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        i = buf.indexOf('\n');
        if (!line) continue;
        chain = chain.then(async () => {
          try {
            const req = parseZdsRequest(line);
            if (req.type === 'add') {
              await handler.addPod(req.pod);
              snapshot?.add(req.pod.uid);
            } else if (req.type === 'delete') {
              await handler.removePod(req.uid);
            } else if (snapshot) {
              await handler.reconcile(snapshot);
              snapshot = undefined;
            }
            send({ type: 'ack', ok: true });
          } catch (err) {
            logger.warn('zds request failed', { error: err instanceof Error ? err.message : String(err) });
            send({ type: 'ack', ok: false, error: err instanceof Error ? err.message : String(err) });
          }
        });
      }
    });
  });
  return listenUnix(server, path, () => {
    for (const c of conns) c.destroy();
  });
}
