/**
 * @module reference-impl/ztunnel/hbone/pool
 * The HBONE client: a pool of HTTP/2-over-mTLS connections keyed by (source identity, destination
 * identity, destination IP), at most N streams each, released after an idle period. Each CONNECT
 * resolves with the stream only after the peer answered 200; other statuses reject with it.
 */
import http2 from 'node:http2';
import type net from 'node:net';
import tls from 'node:tls';
import { MeshbenchError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import { defaultConfig } from '../config.ts';
import type { WorkloadCertificate } from '../identity/certificates.ts';
import { tlsContextOptions } from '../identity/tls-options.ts';

/** Where and as whom to open a CONNECT. */
export interface HboneRequest {
  sourceIdentity: string;
  /** Expected SPIFFE id in the peer's certificate. */
  destinationIdentity: string;
  /** The peer ztunnel endpoint: destination pod IP (or waypoint IP) and 15008. */
  address: { ip: string; port: number };
  authority: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** Pool options. */
export interface HbonePoolOptions {
  maxStreamsPerConnection: number;
  idleTimeoutMs: number;
  streamWindowBytes: number;
  connectionWindowBytes: number;
  /** SETTINGS_MAX_FRAME_SIZE announced (default ztunnel's 1 MiB). */
  frameSizeBytes?: number;
  /** Opens the TCP connection under TLS (from the source pod's namespace, marked). */
  dial(ip: string, port: number): net.Socket;
  /** The source workload's current certificate. */
  certificate(sourceIdentity: string): Promise<WorkloadCertificate>;
  logger: Logger;
}

/** The HBONE client pool. */
export interface HbonePool {
  connect(req: HboneRequest): Promise<http2.ClientHttp2Stream>;
  /** Number of pooled HTTP/2 connections (for tests and the admin dump). */
  connectionCount(): number;
  close(): void;
}

interface PooledSession {
  /** Pooling key: source identity, destination identity, destination address. */
  key: string;
  session: http2.ClientHttp2Session;
  active: number;
  idleTimer?: NodeJS.Timeout;
  ready: Promise<void>;
  /** Streams this connection may still see reset before the server's rapid-reset guard trips. */
  resets: ResetBudget;
}

/**
 * nghttp2's rapid-reset guard (CVE-2023-44487) on the server: a token bucket of 1000 RST_STREAM,
 * refilled at 33 per second; when it is empty the server sends GOAWAY(INTERNAL_ERROR) and every
 * stream on the connection dies. Tunnels whose client resets end their stream with RST_STREAM, so a
 * busy pooled connection can empty it. The pool mirrors the bucket and retires a connection (no new
 * streams, the live ones finish) while a reserve is left.
 */
const RESET_BURST = 1000;
const RESET_PER_SECOND = 33;
const RESET_RESERVE = 200;

interface ResetBudget {
  tokens: number;
  at: number;
}

/** Takes one reset from the budget; false when the connection should take no new streams. */
function spendReset(b: ResetBudget, now = Date.now()): boolean {
  b.tokens = Math.min(RESET_BURST, b.tokens + ((now - b.at) / 1000) * RESET_PER_SECOND) - 1;
  b.at = now;
  return b.tokens > RESET_RESERVE;
}

/** An HBONE CONNECT that got a non-200 answer or failed. */
export class HboneConnectError extends MeshbenchError {
  readonly status: number | undefined;
  constructor(message: string, status?: number, cause?: unknown) {
    super('E_HBONE', message, { cause, details: { status } });
    this.status = status;
  }
}

/** Creates an HBONE client pool. */
export function createHbonePool(options: HbonePoolOptions): HbonePool {
  const pools = new Map<string, PooledSession[]>();
  /** Every session not yet closed, also those taken out of `pools` (retired, or after GOAWAY). */
  const live = new Set<http2.ClientHttp2Session>();
  /** Takes `entry` out of the pool so that it gets no new streams. */
  const unlist = (entry: PooledSession) => {
    const l = pools.get(entry.key);
    const i = l?.indexOf(entry) ?? -1;
    if (l && i >= 0) l.splice(i, 1);
    if (l?.length === 0) pools.delete(entry.key);
    clearTimeout(entry.idleTimer);
  };
  /** Unlists `entry` and closes it gracefully: its live streams finish, then it closes. */
  const retire = (entry: PooledSession) => {
    unlist(entry);
    if (!entry.session.closed) entry.session.close();
  };

  const open = async (key: string, req: HboneRequest): Promise<PooledSession> => {
    const cert = await options.certificate(req.sourceIdentity);
    const raw = options.dial(req.address.ip, req.address.port);
    raw.setNoDelay(true);
    const socket = tls.connect({
      socket: raw,
      host: req.address.ip,
      ...tlsContextOptions(cert),
      ALPNProtocols: ['h2'],
      rejectUnauthorized: true,
      checkServerIdentity: (_host, peer) => {
        const sans = (peer.subjectaltname ?? '').split(/,\s*/);
        return sans.includes(`URI:${req.destinationIdentity}`)
          ? undefined
          : new Error(
              `peer certificate ${peer.subjectaltname ?? 'without SAN'} is not ${req.destinationIdentity}`,
            );
      },
    });
    const session = http2.connect(`https://${req.address.ip}:${req.address.port}`, {
      createConnection: () => socket,
      settings: {
        initialWindowSize: options.streamWindowBytes,
        maxFrameSize: options.frameSizeBytes ?? defaultConfig.hbone.frameSizeBytes,
        enablePush: false,
      },
      peerMaxConcurrentStreams: options.maxStreamsPerConnection,
    });
    const entry: PooledSession = {
      key,
      session,
      active: 0,
      resets: { tokens: RESET_BURST, at: Date.now() },
      ready: new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          reject(new HboneConnectError(`HBONE connect to ${req.address.ip}:${req.address.port} timed out`));
          session.destroy();
        }, req.timeoutMs);
        session.once('connect', () => {
          clearTimeout(t);
          try {
            session.setLocalWindowSize(options.connectionWindowBytes);
          } catch {}
          resolve();
        });
        session.once('error', (err) => {
          clearTimeout(t);
          reject(
            new HboneConnectError(
              `HBONE connection to ${req.address.ip}:${req.address.port} failed: ${err.message}`,
              undefined,
              err,
            ),
          );
        });
      }),
    };
    const list = pools.get(key) ?? [];
    list.push(entry);
    pools.set(key, list);
    live.add(session);
    session.once('close', () => live.delete(session));
    const drop = () => unlist(entry);
    session.on('close', drop);
    session.on('error', drop);
    session.on('goaway', drop);
    entry.ready.catch(drop);
    return entry;
  };

  /** Connections being opened (certificate fetch) and not yet in `pools`, by key. */
  const opening = new Map<string, Promise<PooledSession>>();

  const keyOf = (req: HboneRequest) =>
    `${req.sourceIdentity}|${req.destinationIdentity}|${req.address.ip}:${req.address.port}`;

  const acquire = async (req: HboneRequest): Promise<PooledSession> => {
    const key = keyOf(req);
    let entry: PooledSession | undefined;
    while (!entry) {
      entry = pools
        .get(key)
        ?.find(
          (e) => e.active < options.maxStreamsPerConnection && !e.session.closed && !e.session.destroyed,
        );
      if (entry) break;
      // Concurrent first requests wait for the one connection being opened instead of each opening
      // their own (N simultaneous connects used to open N connections).
      const pending = opening.get(key);
      if (pending) {
        await pending.catch(() => undefined);
        continue;
      }
      const opened = open(key, req);
      opening.set(key, opened);
      try {
        entry = await opened;
      } finally {
        opening.delete(key);
      }
    }
    entry.active += 1;
    clearTimeout(entry.idleTimer);
    try {
      await entry.ready;
    } catch (err) {
      entry.active -= 1;
      throw err;
    }
    return entry;
  };

  const release = (entry: PooledSession) => {
    entry.active -= 1;
    if (entry.active === 0 && !entry.session.closed) {
      clearTimeout(entry.idleTimer);
      entry.idleTimer = setTimeout(() => entry.session.close(), options.idleTimeoutMs);
      entry.idleTimer.unref();
    }
  };

  /** Streams refused before any answer (safe to retry, RFC 9113 §8.7) are tried again this often. */
  const REFUSED_RETRIES = 2;

  const connectOnce = async (req: HboneRequest): Promise<http2.ClientHttp2Stream> => {
    let entry = await acquire(req);
    // Retired (or closing) between acquiring and starting the stream: take another connection.
    while (entry.session.closed) {
      release(entry);
      entry = await acquire(req);
    }
    let stream: http2.ClientHttp2Stream;
    try {
      stream = entry.session.request(
        { ':method': 'CONNECT', ':authority': req.authority, ...req.headers },
        { endStream: false },
      );
    } catch (err) {
      release(entry);
      throw new HboneConnectError(
        `HBONE CONNECT ${req.authority} could not start: ${String(err)}`,
        undefined,
        err,
      );
    }
    let released = false;
    const once = () => {
      if (released) return;
      released = true;
      release(entry);
      // A stream that closed before both sides ended was reset (by us or the peer; Node sends
      // RST_STREAM(NO_ERROR) for a plain destroy(), so rstCode alone does not tell).
      const clean = stream.readableEnded && stream.writableFinished;
      if (!clean && !spendReset(entry.resets)) retire(entry);
    };
    stream.on('close', once);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(new HboneConnectError(`HBONE CONNECT ${req.authority} timed out waiting for a response`));
      }, req.timeoutMs);
      stream.once('response', (headers) => {
        clearTimeout(t);
        const status = Number(headers[':status']);
        if (status === 200) resolve(stream);
        else {
          // End our side instead of resetting the stream: the server has ended its side, and every
          // RST_STREAM it receives counts toward nghttp2's rapid-reset guard, which closes the whole
          // pooled connection (GOAWAY) after ~1000 of them.
          stream.end();
          stream.resume();
          reject(new HboneConnectError(`HBONE CONNECT ${req.authority} answered ${status}`, status));
        }
      });
      stream.once('error', (err) => {
        clearTimeout(t);
        reject(
          new HboneConnectError(`HBONE CONNECT ${req.authority} failed: ${err.message}`, undefined, err),
        );
      });
    });
  };

  return {
    async connect(req) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await connectOnce(req);
        } catch (err) {
          const refused =
            err instanceof HboneConnectError &&
            (err.cause as { code?: string } | undefined)?.code === 'ERR_HTTP2_STREAM_ERROR' &&
            /REFUSED_STREAM/.test(String((err.cause as Error).message));
          if (!refused || attempt >= REFUSED_RETRIES) throw err;
        }
      }
    },
    connectionCount: () => [...pools.values()].reduce((n, l) => n + l.length, 0),
    close() {
      for (const s of live) s.destroy();
      live.clear();
      pools.clear();
    },
  };
}
