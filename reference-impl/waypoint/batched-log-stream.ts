/**
 * @module reference-impl/waypoint/batched-log-stream
 * A log sink for per-request lines (the access log): `write` only appends to memory; the lines go to
 * the file descriptor in one asynchronous `fs.write` per flush interval (not a synchronous write, nor
 * one thread-pool write, per request). Whatever is pending at process exit is written synchronously.
 * A bounded buffer: past `maxPendingBytes` lines are dropped and counted (Envoy drops too when its
 * access-log buffer is full), and the drop is reported in the next flush.
 */
import { write as fsWrite, writeSync } from 'node:fs';
import { Writable } from 'node:stream';

export interface BatchedLogStreamOptions {
  /** File descriptor to write to (default 2, stderr: the container log). */
  fd?: number;
  flushIntervalMs?: number;
  maxPendingBytes?: number;
}

/** Creates the sink; pass it as the `stream` of `createLogger`. */
export function createBatchedLogStream(o: BatchedLogStreamOptions = {}): Writable {
  const fd = o.fd ?? 2;
  const interval = o.flushIntervalMs ?? 50;
  const max = o.maxPendingBytes ?? 8 * 1024 * 1024;
  let pending: string[] = [];
  let pendingBytes = 0;
  let dropped = 0;
  let inFlight = false;
  let timer: NodeJS.Timeout | undefined;
  const take = (): string => {
    const note =
      dropped > 0 ? `{"level":"warn","msg":"access log lines dropped","dropped":${dropped}}\n` : '';
    const text = note + pending.join('');
    pending = [];
    pendingBytes = 0;
    dropped = 0;
    return text;
  };
  const flush = () => {
    timer = undefined;
    if (inFlight || pending.length === 0) return;
    inFlight = true;
    fsWrite(fd, take(), () => {
      inFlight = false;
      if (pending.length > 0) schedule();
    });
  };
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(flush, interval);
    timer.unref();
  };
  process.once('exit', () => {
    if (pending.length > 0 || dropped > 0) writeSync(fd, take());
  });
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _enc, cb) {
      const line = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      if (pendingBytes + line.length > max) dropped++;
      else {
        pending.push(line);
        pendingBytes += line.length;
        schedule();
      }
      cb();
    },
  });
}
