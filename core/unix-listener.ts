/**
 * @module core/unix-listener
 * Serving a `net.Server` on a unix socket path the way the node's local daemons do: a socket file
 * left by a crashed run is replaced, listening errors reject, and closing also removes the file.
 */
import { rmSync } from 'node:fs';
import type net from 'node:net';

/**
 * Listens on `path` (an old socket file is removed first). `close()` stops listening, runs
 * `onClose` (e.g. to end open connections) and removes the socket file.
 */
export function listenUnix(
  server: net.Server,
  path: string,
  onClose?: () => void,
): Promise<{ close(): void }> {
  rmSync(path, { force: true });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve({
        close() {
          server.close();
          onClose?.();
          rmSync(path, { force: true });
        },
      });
    });
  });
}
