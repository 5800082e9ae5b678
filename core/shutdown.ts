/**
 * @module core/shutdown
 * Graceful exit for long-running programs (ztunnel, waypoint, sidecar): on SIGTERM or SIGINT, run
 * the closers in order (each awaited; a failing one does not stop the rest) and exit 0.
 */

/** Installs SIGTERM/SIGINT handlers that run `closers` in order, then exit 0. */
export function exitOnSignals(closers: readonly (() => unknown)[]): void {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const close of closers) {
      try {
        await close();
      } catch {
        // keep closing the rest: the process is going away
      }
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}
