/**
 * @module reference-impl/echo/close-server
 * The graceful stop the TCP and HTTP listeners share: stop accepting, let `windDown` ask open
 * connections to finish, destroy whatever is still open after `graceMs`.
 */
import type { Server, Socket } from 'node:net';

/** Closes `server`; resolves when every connection is gone. */
export function closeServer(
  server: Server,
  sockets: ReadonlySet<Socket>,
  graceMs: number,
  windDown: () => void,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      for (const s of sockets) s.destroy();
    }, graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    windDown();
  });
}
