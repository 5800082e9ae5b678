/**
 * @module clusters/existing/port-forward
 * Reaches a port inside a pod through the API server's port-forward (client-node `PortForward`):
 * a listener on 127.0.0.1:0 whose every connection is tunnelled to `pod:port`, open only for the
 * duration of `fn`.
 */
import { createServer, type Socket } from 'node:net';
import { type KubeConfig, PortForward } from '@kubernetes/client-node';
import { MeshbenchError } from '../../core/errors.ts';
import type { PodRef } from '../cluster.ts';

function reason(err: unknown): string {
  if (err instanceof Error) return err.message;
  const msg = (err as { message?: unknown } | undefined)?.message;
  return typeof msg === 'string' && msg ? msg : String(err);
}

/** Runs `fn` with a local port that forwards to `port` in `pod`; closes everything afterwards. */
export async function withPortForward<T>(
  kc: KubeConfig,
  pod: PodRef,
  port: number,
  fn: (localPort: number) => Promise<T>,
): Promise<T> {
  const forward = new PortForward(kc, true);
  const sockets = new Set<Socket>();
  let forwardError: string | undefined;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    forward
      .portForward(pod.namespace, pod.name, [port], socket, null, socket)
      .then((ws) => {
        const close = () => {
          if (typeof ws !== 'function') ws.close();
        };
        socket.on('close', close);
        if (socket.destroyed) close();
      })
      .catch((err: unknown) => {
        forwardError = reason(err);
        socket.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const localPort = typeof address === 'object' && address ? address.port : 0;
  try {
    return await fn(localPort);
  } catch (err) {
    if (forwardError === undefined) throw err;
    throw new MeshbenchError(
      'E_CALL',
      `port-forward to ${pod.namespace}/${pod.name}:${port} failed: ${forwardError}`,
      { cause: err, hint: `is anything listening on port ${port} in that pod?` },
    );
  } finally {
    server.close();
    for (const s of sockets) s.destroy();
  }
}
