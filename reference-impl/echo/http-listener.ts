/**
 * @module reference-impl/echo/http-listener
 * One TCP port serving HTTP/1.1 and cleartext HTTP/2 with prior knowledge (h2c), as Istio's echo does
 * with Go's h2c handler. node:http2 has no cleartext `allowHTTP1`, so the listener sniffs the first
 * bytes: the HTTP/2 connection preface starts with `PRI `, which no HTTP/1 request does; the bytes are
 * put back and the socket is handed to the matching server.
 */
import { createServer as createHttp1Server, type Server as Http1Server } from 'node:http';
import { createServer as createHttp2Server, type Http2Server, type ServerHttp2Session } from 'node:http2';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { closeServer } from './close-server.ts';
import type { AnyRequest, AnyResponse } from './http-handler.ts';

/** How long a new connection may stay silent before the listener gives up on it. */
export const SNIFF_TIMEOUT_MS = 60_000;

const H2_PREFACE_START = Buffer.from('PRI ');

/** A listening-ready (not yet bound) HTTP/1.1 + h2c server. */
export interface HttpListener {
  /** The TCP server to bind. */
  readonly server: Server;
  /** Stops accepting, lets in-flight requests finish, closes idle connections; destroys the rest after `graceMs`. */
  close(graceMs: number): Promise<void>;
}

/** Creates the sniffing listener around one request handler. */
export function createHttpListener(
  handler: (req: AnyRequest, res: AnyResponse) => void,
  onConnection?: (socket: Socket) => void,
): HttpListener {
  let closing = false;
  const wrapped = (req: AnyRequest, res: AnyResponse) => {
    if (req.httpVersionMajor === 1) {
      if (closing) res.setHeader('connection', 'close');
      // A request in flight when close() began: end its keep-alive connection once answered.
      res.once('finish', () => {
        if (closing) req.socket.end();
      });
    }
    handler(req, res);
  };
  const http1: Http1Server = createHttp1Server({ keepAliveTimeout: 60_000, headersTimeout: 65_000 }, wrapped);
  // http1 never listens itself (sockets are handed to it), so start its connection tracking (idle
  // tracking, header timeouts) by hand; close() below ends it.
  http1.emit('listening');
  const http2: Http2Server = createHttp2Server({}, wrapped);
  const sockets = new Set<Socket>();
  const sniffing = new Set<Socket>();
  const sessions = new Set<ServerHttp2Session>();
  http2.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => {});
  });
  http1.on('clientError', (_err, socket: Socket) => socket.destroy());

  const server = createNetServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection?.(socket);
    let head: Buffer = Buffer.alloc(0);
    sniffing.add(socket);
    socket.setTimeout(SNIFF_TIMEOUT_MS, () => socket.destroy());
    const onData = (chunk: Buffer) => {
      head = head.length ? Buffer.concat([head, chunk]) : chunk;
      if (head.length < H2_PREFACE_START.length && H2_PREFACE_START.subarray(0, head.length).equals(head))
        return;
      socket.off('data', onData);
      sniffing.delete(socket);
      socket.setTimeout(0);
      // Paused, so the bytes put back wait in the buffer until the chosen server reads them.
      socket.pause();
      socket.unshift(head);
      const isH2 = head.subarray(0, H2_PREFACE_START.length).equals(H2_PREFACE_START);
      if (isH2) {
        // node:http2 drains the socket's buffered bytes into the session on the next tick.
        http2.emit('connection', socket);
      } else {
        http1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  });

  return {
    server,
    close(graceMs) {
      closing = true;
      return closeServer(server, sockets, graceMs, () => {
        http1.close(() => {}); // closes idle keep-alive connections and stops tracking
        for (const s of sessions) s.close();
        // Connections still sniffing carry no request yet.
        for (const s of sniffing) s.destroy();
      });
    },
  };
}
