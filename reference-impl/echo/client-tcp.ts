/**
 * @module reference-impl/echo/client-tcp
 * `tcp://` and `server-first://` calls, as Istio's forwarder makes them: write the message (the body, or
 * `HelloWorld`) and a newline, then read until the message has come back, the server closes, or the
 * deadline passes. `server-first://` first waits for the server's banner line without writing anything.
 * On a reused connection the echo's fields arrive only with the first call (the server writes them once).
 */
import type { Socket } from 'node:net';
import { abortError, CallError } from './call-error.ts';
import { dial } from './dial.ts';
import type { ForwardPlan } from './forward-request.ts';
import { type CallResult, MAX_REPLY_BYTES, type ProtocolClient } from './protocol-client.ts';
import { parseEchoFields } from './response-format.ts';

/** The message sent when the forward request has no body (Istio's default). */
export const DEFAULT_TCP_MESSAGE = 'HelloWorld';

/** Buffers what a socket receives and lets a call wait for a condition on it. */
class SocketReader {
  readonly socket: Socket;
  buffer: Buffer = Buffer.alloc(0);
  ended = false;
  error: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => {
      // Keep the tail needed to see the echo, bounded.
      this.buffer = Buffer.concat([this.buffer, c]);
      if (this.buffer.length > 4 * MAX_REPLY_BYTES)
        this.buffer = this.buffer.subarray(this.buffer.length - 4 * MAX_REPLY_BYTES);
      this.#wake?.();
    });
    socket.on('end', () => {
      this.ended = true;
      this.#wake?.();
    });
    socket.on('error', (err) => {
      this.error = err;
      this.#wake?.();
    });
    socket.on('close', () => {
      this.ended = true;
      this.#wake?.();
    });
  }

  /** Resolves when `done(buffer)` holds or the peer closed; rejects on socket error or abort. */
  waitFor(done: (b: Buffer) => boolean, signal: AbortSignal, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (done(this.buffer) || this.ended) finish();
        else if (this.error) finish(this.error);
        else if (signal.aborted) finish(abortError(signal, timeoutMs));
      };
      const onAbort = () => check();
      const finish = (err?: Error) => {
        this.#wake = undefined;
        signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      this.#wake = check;
      signal.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }

  take(): Buffer {
    const b = this.buffer;
    this.buffer = Buffer.alloc(0);
    return b;
  }
}

/** Creates the TCP / server-first client of one forward. */
export function createTcpClient(plan: ForwardPlan): ProtocolClient {
  const serverFirst = plan.target.scheme === 'server-first';
  const message = plan.body ?? DEFAULT_TCP_MESSAGE;
  const expected = Buffer.from(`${message}\n`);
  let kept: SocketReader | undefined;

  return {
    async call(signal): Promise<CallResult> {
      let reader = plan.reuseConnection ? kept : undefined;
      const fresh = !reader || reader.ended || reader.error !== undefined;
      if (fresh) {
        const socket = await dial(plan.target, { socks5: plan.socks5, signal, timeoutMs: plan.timeoutMs });
        reader = new SocketReader(socket);
        if (plan.reuseConnection) kept = reader;
      }
      const r = reader!;
      let received: Buffer = Buffer.alloc(0);
      try {
        if (serverFirst && fresh) {
          await r.waitFor((b) => b.includes(0x0a), signal, plan.timeoutMs);
          if (!r.buffer.includes(0x0a))
            throw new CallError('EOF', 'connection closed before the server-first banner');
          received = r.take();
        }
        r.socket.write(expected);
        await r.waitFor((b) => endsWith(b, expected), signal, plan.timeoutMs);
        received = Buffer.concat([received, r.take()]);
        const body = received.toString('utf8');
        if (!endsWith(received, expected)) {
          return {
            status: 0,
            ok: false,
            error: { code: 'EOF', message: 'connection closed before the message was echoed back' },
            fields: parseEchoFields(body),
            body,
          };
        }
        return { status: 0, ok: true, fields: parseEchoFields(body), body };
      } catch (err) {
        r.socket.destroy();
        if (kept === r) kept = undefined;
        throw err;
      } finally {
        if (!plan.reuseConnection) closeSoon(r.socket);
      }
    },
    close() {
      if (kept) closeSoon(kept.socket);
      kept = undefined;
    },
  };
}

function endsWith(b: Buffer, tail: Buffer): boolean {
  return b.length >= tail.length && b.subarray(b.length - tail.length).equals(tail);
}

/** Half-closes, and destroys the socket if the peer has not closed within a second. */
function closeSoon(socket: Socket): void {
  socket.end();
  setTimeout(() => socket.destroy(), 1000).unref();
}
