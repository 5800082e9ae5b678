/**
 * @module reference-impl/ztunnel/proxy/pipe
 * Copies bytes both ways between a downstream and an upstream stream, counting them, and reports
 * once when both directions are finished or either side fails.
 */
import type { Duplex } from 'node:stream';

/** Byte counts of a finished copy, from the downstream (client) point of view. */
export interface PipeResult {
  /** Client → server bytes. */
  bytesUp: number;
  /** Server → client bytes. */
  bytesDown: number;
  error?: Error;
}

/** Copies `down` ⇄ `up` until both ends close; half-close is propagated. */
export function pipeBoth(
  down: Duplex,
  up: Duplex,
  hooks: { onUp?: (n: number) => void; onDown?: (n: number) => void; onDone: (r: PipeResult) => void },
): void {
  let bytesUp = 0;
  let bytesDown = 0;
  let finished = false;
  let ended = 0;
  const finish = (error?: Error) => {
    if (finished) return;
    finished = true;
    if (!down.destroyed) down.destroy();
    if (!up.destroyed) up.destroy();
    hooks.onDone({ bytesUp, bytesDown, error });
  };
  down.on('data', (d: Buffer) => {
    bytesUp += d.length;
    hooks.onUp?.(d.length);
    if (!up.write(d)) {
      down.pause();
      up.once('drain', () => down.resume());
    }
  });
  up.on('data', (d: Buffer) => {
    bytesDown += d.length;
    hooks.onDown?.(d.length);
    if (!down.write(d)) {
      up.pause();
      down.once('drain', () => up.resume());
    }
  });
  const halfClose = (to: Duplex) => () => {
    ended += 1;
    if (!to.destroyed && !to.writableEnded) to.end();
    if (ended === 2) setImmediate(() => finish());
  };
  down.on('end', halfClose(up));
  up.on('end', halfClose(down));
  down.on('error', (e) => finish(e));
  up.on('error', (e) => finish(e));
  down.on('close', () => setImmediate(() => finish()));
  up.on('close', () => setImmediate(() => finish()));
}
