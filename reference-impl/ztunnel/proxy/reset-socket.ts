/**
 * @module reference-impl/ztunnel/proxy/reset-socket
 * Closing a refused client connection with a TCP reset without leaking it. libuv refuses to reset a
 * TCP handle that is shutting down (UV_EINVAL; Node calls end() itself once the peer's FIN is read),
 * and Node then never closes that handle: the fd leaks and the process spins at exit. Such a socket
 * gets a plain close instead.
 */
import type { Duplex } from 'node:stream';

/** Resets `socket` when it is a TCP socket whose writable side is still open, else destroys it. */
export function resetSocket(socket: Duplex & { resetAndDestroy?: () => unknown }): void {
  if (!socket.writableEnded && !socket.destroyed && typeof socket.resetAndDestroy === 'function')
    socket.resetAndDestroy();
  else socket.destroy();
}
