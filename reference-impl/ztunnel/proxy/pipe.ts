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
  let finished = false;
  let ended = 0;
  const upCount = forward(down, up, hooks.onUp);
  const downCount = forward(up, down, hooks.onDown);
  const finish = (error?: Error) => {
    if (finished) return;
    finished = true;
    if (!down.destroyed) down.destroy();
    if (!up.destroyed) up.destroy();
    hooks.onDone({ bytesUp: upCount.bytes, bytesDown: downCount.bytes, error });
  };
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
  // A side that was already gone before the copy started (a client that reset or closed while the
  // upstream was being connected) emits no further 'close': finish now, or the other side stays open.
  if (down.destroyed || up.destroyed) setImmediate(() => finish());
}

/** Writes every chunk of `from` to `to`, pausing `from` while `to` is full; counts the bytes. */
function forward(from: Duplex, to: Duplex, onBytes?: (n: number) => void): { bytes: number } {
  const counter = { bytes: 0 };
  const resume = () => from.resume();
  from.on('data', (d: Buffer) => {
    counter.bytes += d.length;
    onBytes?.(d.length);
    if (!to.write(d)) {
      from.pause();
      to.once('drain', resume);
    }
  });
  return counter;
}
