/**
 * @module reference-impl/ztunnel/proxy/connect-tcp
 * A TCP connect with a deadline, resolving only once the connection is established.
 */
import type net from 'node:net';
import { MeshbenchError } from '../../../core/errors.ts';

/** Connects with `dial` and waits for `connect`, failing after `timeoutMs`. */
export function connectTcp(
  dial: (ip: string, port: number) => net.Socket,
  ip: string,
  port: number,
  timeoutMs: number,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    let socket: net.Socket;
    try {
      socket = dial(ip, port);
    } catch (err) {
      reject(err);
      return;
    }
    const t = setTimeout(() => {
      socket.destroy();
      reject(new MeshbenchError('E_TIMEOUT', `connect to ${ip}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(t);
      // Proxied bytes are forwarded as they arrive: no Nagle delay on the upstream side either.
      socket.setNoDelay(true);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(t);
      socket.destroy();
      reject(err);
    });
  });
}
