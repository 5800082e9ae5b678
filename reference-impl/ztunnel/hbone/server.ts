/**
 * @module reference-impl/ztunnel/hbone/server
 * The HBONE server side: an HTTP/2 server over mutual TLS 1.3 (ALPN h2, SNI ignored) that accepts
 * CONNECT streams. TLS and HTTP/2 errors become a log line and a metric, never a crash. Non-CONNECT
 * requests and bad authorities get 400; the CONNECT itself is handed to `onConnect`. Idle sessions
 * are probed with PING and destroyed when the probe goes unanswered (`keepalive.ts`).
 */
import http2 from 'node:http2';
import type net from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../../../core/logger.ts';
import { defaultConfig } from '../config.ts';
import type { WorkloadCertificate } from '../identity/certificates.ts';
import { peerIdentities, tlsContextOptions, trustDomainOf } from '../identity/tls-options.ts';
import type { ConnectionTelemetry } from '../telemetry/connection-telemetry.ts';
import { parseAuthority } from './authority.ts';
import { DEFAULT_KEEPALIVE, type KeepaliveOptions, keepSessionAlive } from './keepalive.ts';

/** A validated CONNECT request. */
export interface HboneConnect {
  stream: http2.ServerHttp2Stream;
  headers: http2.IncomingHttpHeaders;
  target: { ip: string; port: number };
  /** SPIFFE id of the verified peer. */
  peerIdentity: string;
  remote: { ip: string; port: number };
  /** The address the TLS connection arrived on (the pod IP in a pod namespace). */
  local: { ip: string; port: number };
}

/** Options of an HBONE server. */
export interface HboneServerOptions {
  certificate: WorkloadCertificate;
  trustDomain: string;
  maxConcurrentStreams: number;
  streamWindowBytes: number;
  connectionWindowBytes: number;
  /** SETTINGS_MAX_FRAME_SIZE announced (default ztunnel's 1 MiB). */
  frameSizeBytes?: number;
  /** PING after this long without input; destroy when unanswered (default `DEFAULT_KEEPALIVE`). */
  keepalive?: KeepaliveOptions;
  logger: Logger;
  telemetry: ConnectionTelemetry;
  onConnect(req: HboneConnect): void;
}

/** The server; listen with `.listen({ fd })` or `.listen(port, host)`. */
export interface HboneServer {
  readonly server: http2.Http2SecureServer;
  /** Serves a new certificate to new handshakes (rotation). */
  setCertificate(cert: WorkloadCertificate): void;
  /** Closes the listener and destroys every session. */
  close(): Promise<void>;
}

const clean = (a: string | undefined) => (a ?? '').replace(/^::ffff:/, '');

/**
 * Invalid frames a session may send before Node closes it. Node counts every stream nghttp2 refuses
 * over SETTINGS_MAX_CONCURRENT_STREAMS (REFUSED_STREAM) as one, and its default (1000) closed the
 * session of a client whose first flight, sent before it had read our SETTINGS, held more than 1200
 * CONNECTs: the 200 admitted streams died with it instead of completing. Still bounded, so a peer
 * that keeps misbehaving loses the session (GOAWAY, a log line and `reason="http2"`).
 */
const MAX_SESSION_INVALID_FRAMES = 20_000;

/** Creates an HBONE server (not yet listening). */
export function createHboneServer(options: HboneServerOptions): HboneServer {
  const { logger, telemetry } = options;
  const sessions = new Set<http2.ServerHttp2Session>();
  const sockets = new Set<net.Socket>();
  const peerIdentity = new WeakMap<http2.ServerHttp2Session, string | undefined>();
  const reject = (reason: string, fields: Record<string, unknown> = {}) => {
    telemetry.rejected('hbone', reason);
    logger.warn('hbone input rejected', { reason, ...fields });
  };
  const server = http2.createSecureServer({
    ...tlsContextOptions(options.certificate),
    requestCert: true,
    rejectUnauthorized: true,
    ALPNProtocols: ['h2'],
    allowHTTP1: false,
    unknownProtocolTimeout: 1000,
    handshakeTimeout: 10_000,
    maxSessionInvalidFrames: MAX_SESSION_INVALID_FRAMES,
    settings: {
      maxConcurrentStreams: options.maxConcurrentStreams,
      initialWindowSize: options.streamWindowBytes,
      maxFrameSize: options.frameSizeBytes ?? defaultConfig.hbone.frameSizeBytes,
      enablePush: false,
    },
  });
  server.on('connection', (socket: net.Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', (err, socket) => {
    reject('tls', { error: err.message, remote: clean(socket.remoteAddress) });
    socket.destroy();
  });
  server.on('unknownProtocol', (socket) => {
    reject('alpn', { remote: clean(socket.remoteAddress) });
    socket.destroy();
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    const ids = peerIdentities(socket);
    const id = ids[0];
    if (!id || trustDomainOf(id) !== options.trustDomain) {
      reject('peer-identity', { peer: id ?? 'none', remote: clean(socket.remoteAddress) });
      socket.destroy();
    }
  });
  server.on('session', (session) => {
    sessions.add(session);
    // The peer certificate is fixed for the session: parse it once, not on every CONNECT.
    const socket = session.socket as TLSSocket | undefined;
    if (socket) peerIdentity.set(session, peerIdentities(socket)[0]);
    session.on('close', () => sessions.delete(session));
    session.on('error', (err) => logger.debug('hbone session error', { error: err.message }));
    keepSessionAlive(session, options.keepalive ?? DEFAULT_KEEPALIVE, (reason) =>
      reject('keepalive', { detail: reason, remote: clean(socket?.remoteAddress) }),
    );
    try {
      session.setLocalWindowSize(options.connectionWindowBytes);
    } catch {}
  });
  server.on('sessionError', (err) => reject('http2', { error: err.message }));
  server.on('stream', (stream, headers) => {
    stream.on('error', (err) => logger.debug('hbone stream error', { error: err.message }));
    const socket = stream.session?.socket as TLSSocket | undefined;
    const respond = (status: number, reason: string) => {
      reject(reason, { status, method: headers[':method'], authority: headers[':authority'] });
      if (!stream.destroyed && !stream.headersSent)
        stream.respond({ ':status': status }, { endStream: true });
      else stream.destroy();
    };
    if (!socket) {
      respond(400, 'no-session');
      return;
    }
    if (headers[':method'] !== 'CONNECT') {
      respond(400, 'not-connect');
      return;
    }
    const target = parseAuthority(headers[':authority']);
    if (!target) {
      respond(400, 'bad-authority');
      return;
    }
    const peer = peerIdentity.get(stream.session as http2.ServerHttp2Session);
    if (!peer) {
      respond(401, 'no-identity');
      return;
    }
    options.onConnect({
      stream,
      headers,
      target,
      peerIdentity: peer,
      remote: { ip: clean(socket.remoteAddress), port: socket.remotePort ?? 0 },
      local: { ip: clean(socket.localAddress), port: socket.localPort ?? 0 },
    });
  });
  return {
    server,
    setCertificate(cert) {
      server.setSecureContext({
        ...tlsContextOptions(cert),
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sessions) s.destroy();
        for (const s of sockets) s.destroy();
      });
    },
  };
}
