/**
 * @module reference-impl/echo/h2-connection
 * Cleartext HTTP/2 with prior knowledge for the `h2c://` and `grpc://` clients: sessions over sockets
 * from `dial` (so SOCKS5 works), one shared session when reusing, and one request/response exchange.
 */
import {
  type ClientHttp2Session,
  connect,
  constants,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import { abortError, CallError } from './call-error.ts';
import { dial } from './dial.ts';
import type { ForwardPlan } from './forward-request.ts';
import { ReplyBuffer } from './protocol-client.ts';

/** One HTTP/2 exchange as received. */
export interface H2Reply {
  status: number;
  headers: [string, string][];
  trailers: [string, string][];
  body: ReplyBuffer;
  /** Raw bytes, kept only when asked (gRPC framing). */
  raw: Buffer;
}

/** Hands out sessions: the same one while it lives when reusing, else a fresh one per call. */
export class H2Connection {
  readonly #plan: ForwardPlan;
  #shared: ClientHttp2Session | undefined;

  constructor(plan: ForwardPlan) {
    this.#plan = plan;
  }

  /** A session for one call; `release` closes it unless it is the shared one. */
  async acquire(signal: AbortSignal): Promise<{ session: ClientHttp2Session; release: () => void }> {
    const shared = this.#shared;
    if (this.#plan.reuseConnection && shared && !shared.closed && !shared.destroyed) {
      return { session: shared, release: () => {} };
    }
    const { target, socks5, timeoutMs } = this.#plan;
    const socket = await dial(target, { socks5, signal, timeoutMs });
    const session = connect(`http://${target.authority}`, { createConnection: () => socket });
    session.on('error', () => {});
    if (this.#plan.reuseConnection) {
      this.#shared = session;
      return { session, release: () => {} };
    }
    return { session, release: () => session.close() };
  }

  close(): void {
    this.#shared?.close();
    this.#shared = undefined;
  }
}

function pairs(headers: IncomingHttpHeaders): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [String(v)]) out.push([k, one]);
  }
  return out;
}

/** Sends one request and collects the reply; rejects on stream errors or when `signal` fires. */
export function h2Exchange(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body: Buffer | string | undefined,
  signal: AbortSignal,
  timeoutMs: number,
  keepRaw = false,
): Promise<H2Reply> {
  return new Promise<H2Reply>((resolve, reject) => {
    let settled = false;
    const stream = session.request(headers, { endStream: body === undefined });
    const reply: H2Reply = {
      status: 0,
      headers: [],
      trailers: [],
      body: new ReplyBuffer(),
      raw: Buffer.alloc(0),
    };
    const rawChunks: Buffer[] = [];
    const done = (err?: Error) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (err) {
        if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
        reject(err);
      } else {
        if (keepRaw) reply.raw = Buffer.concat(rawChunks);
        resolve(reply);
      }
    };
    const onAbort = () => done(abortError(signal, timeoutMs));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('response', (h) => {
      reply.status = Number(h[':status'] ?? 0);
      reply.headers = pairs(h);
    });
    stream.on('trailers', (t) => {
      reply.trailers = pairs(t);
    });
    stream.on('data', (c: Buffer) => {
      reply.body.push(c);
      if (keepRaw && reply.body.total <= 4 * 1024 * 1024) rawChunks.push(c);
    });
    stream.on('error', (err: Error) => done(err));
    stream.on('end', () => done());
    stream.on('close', () => {
      if (stream.rstCode && stream.rstCode !== constants.NGHTTP2_NO_ERROR) {
        done(new CallError('ECONNRESET', `HTTP/2 stream reset with code ${stream.rstCode}`));
      } else done();
    });
    if (body !== undefined) stream.end(body);
  });
}
