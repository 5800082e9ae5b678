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
  session: http2.ClientHttp2Session;
  active: number;
  idleTimer?: NodeJS.Timeout;
  ready: Promise<void>;
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
      session,
      active: 0,
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
    const drop = () => {
      const l = pools.get(key);
      if (!l) return;
      const i = l.indexOf(entry);
      if (i >= 0) l.splice(i, 1);
      if (l.length === 0) pools.delete(key);
      clearTimeout(entry.idleTimer);
    };
    session.on('close', drop);
    session.on('error', drop);
    session.on('goaway', drop);
    entry.ready.catch(drop);
    return entry;
  };

  /** Connections being opened (certificate fetch) and not yet in `pools`, by key. */
  const opening = new Map<string, Promise<PooledSession>>();

  const acquire = async (req: HboneRequest): Promise<PooledSession> => {
    const key = `${req.sourceIdentity}|${req.destinationIdentity}|${req.address.ip}:${req.address.port}`;
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
    if (entry.active === 0) {
      clearTimeout(entry.idleTimer);
      entry.idleTimer = setTimeout(() => entry.session.close(), options.idleTimeoutMs);
      entry.idleTimer.unref();
    }
  };

  return {
    async connect(req) {
      const entry = await acquire(req);
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
        if (!released) {
          released = true;
          release(entry);
        }
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
    },
    connectionCount: () => [...pools.values()].reduce((n, l) => n + l.length, 0),
    close() {
      for (const l of pools.values()) for (const e of l) e.session.destroy();
      pools.clear();
    },
  };
}
