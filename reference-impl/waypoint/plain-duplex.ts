/**
 * @module reference-impl/waypoint/plain-duplex
 * Wraps a byte stream (an HTTP/2 CONNECT stream) in a plain `Duplex` that hands it only Buffers.
 * Needed because Node's HTTP/1 server and client write header strings with `latin1` encoding via
 * `writev`, which an `Http2Stream` corrupts (seen on Node 20: the status line arrives garbled).
 */
import { Duplex } from 'node:stream';

/** A Duplex over `inner` with Buffer-only writes; ends and errors propagate both ways. */
export function plainDuplex(inner: Duplex): Duplex {
  const outer = new Duplex({
    decodeStrings: true,
    allowHalfOpen: true,
    read() {
      inner.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      inner.write(chunk, cb);
    },
    final(cb) {
      inner.end(cb);
    },
    destroy(err, cb) {
      inner.destroy(err ?? undefined);
      cb(err);
    },
  });
  inner.on('data', (c: Buffer) => {
    if (!outer.push(c)) inner.pause();
  });
  inner.once('end', () => outer.push(null));
  inner.once('error', (err) => outer.destroy(err));
  inner.once('close', () => {
    if (!outer.destroyed) outer.destroy();
  });
  // Node's http code calls these on sockets; a CONNECT stream has no TCP options.
  Object.assign(outer, {
    setNoDelay: () => outer,
    setKeepAlive: () => outer,
    setTimeout: (ms: number, cb?: () => void) => {
      (inner as Duplex & { setTimeout?(ms: number, cb?: () => void): void }).setTimeout?.(ms, cb);
      return outer;
    },
    ref: () => outer,
    unref: () => outer,
  });
  return outer;
}
