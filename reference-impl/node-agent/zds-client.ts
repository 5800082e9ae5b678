/**
 * @module reference-impl/node-agent/zds-client
 * The agent's side of ZDS: keeps a connection to the node's ztunnel, sends the full snapshot after
 * every (re)connect (so a restarted ztunnel re-creates its listeners), then incremental add/delete.
 * Each message waits for ztunnel's ack.
 */
import net from 'node:net';
import type { Logger } from '../../core/logger.ts';
import type { ZdsPod, ZdsRequest, ZdsResponse } from '../ztunnel/zds/protocol.ts';

/** The client. */
export interface ZdsClient {
  /** Sends (or queues for the next snapshot) a pod; resolves on ack or when disconnected. */
  add(pod: ZdsPod): Promise<boolean>;
  remove(uid: string): Promise<boolean>;
  readonly connected: boolean;
  /** Resolves after the next complete snapshot was acked. */
  waitSynced(timeoutMs: number): Promise<void>;
  close(): void;
}

/** Connects to `path`, reconnecting forever (backoff ≤ 1 s); `snapshot` gives the current pods. */
export function createZdsClient(path: string, snapshot: () => ZdsPod[], logger: Logger): ZdsClient {
  let socket: net.Socket | undefined;
  let ready = false;
  let hello = false;
  let closed = false;
  let delay = 50;
  let pending: Array<(r: ZdsResponse) => void> = [];
  let syncedWaiters: Array<() => void> = [];

  const send = (req: ZdsRequest): Promise<boolean> =>
    new Promise((resolve) => {
      const s = socket;
      if (!s || s.destroyed) return resolve(false);
      pending.push((r) => {
        if (r.type === 'ack' && !r.ok) logger.warn('ztunnel refused', { request: req.type, error: r.error });
        resolve(r.type === 'ack' && r.ok);
      });
      s.write(`${JSON.stringify(req)}\n`);
    });

  const connect = () => {
    if (closed) return;
    const s = net.connect(path);
    socket = s;
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('utf8');
      let i = buf.indexOf('\n');
      while (i >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        i = buf.indexOf('\n');
        let msg: ZdsResponse;
        try {
          msg = JSON.parse(line) as ZdsResponse;
        } catch {
          continue;
        }
        if (msg.type === 'hello') {
          delay = 50;
          hello = true;
          logger.info('connected to ztunnel; sending snapshot', { socket: path });
          const pods = snapshot();
          void Promise.all([
            ...pods.map((p) => send({ type: 'add', pod: p })),
            send({ type: 'snapshot-done' }),
          ]).then(() => {
            if (socket !== s || s.destroyed) return;
            ready = true;
            for (const w of syncedWaiters) w();
            syncedWaiters = [];
          });
        } else {
          pending.shift()?.(msg);
        }
      }
    });
    s.on('error', () => {});
    s.on('close', () => {
      if (socket === s) {
        socket = undefined;
        ready = false;
        hello = false;
      }
      const p = pending;
      pending = [];
      for (const f of p) f({ type: 'ack', ok: false, error: 'disconnected' });
      if (!closed) {
        setTimeout(connect, delay).unref();
        delay = Math.min(delay * 2, 1000);
      }
    });
  };
  connect();

  return {
    add: (pod) => (hello ? send({ type: 'add', pod }) : Promise.resolve(false)),
    remove: (uid) => (hello ? send({ type: 'delete', uid }) : Promise.resolve(false)),
    get connected() {
      return ready;
    },
    waitSynced(timeoutMs) {
      if (ready) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`ztunnel at ${path} not synced after ${timeoutMs} ms`)),
          timeoutMs,
        );
        syncedWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },
    close() {
      closed = true;
      socket?.destroy();
    },
  };
}
