/**
 * @module reference-impl/echo/tcp-listener
 * Raw TCP echo, as Istio's echo (pkg/test/echo/server/endpoint/tcp.go): on the first bytes received it
 * writes its fields (`StatusCode=200`, `ServiceVersion`, `ServicePort`, ...), then echoes every byte
 * back until the client closes. Server-first mode writes a banner line (`ServerFirst=<hostname>`)
 * as soon as the connection opens, before reading anything.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../core/logger.ts';
import { closeServer } from './close-server.ts';
import type { EchoIdentity } from './http-handler.ts';
import { peerIp } from './peer-address.ts';
import { type EchoFieldEntry, formatEchoFields } from './response-format.ts';

/** A TCP echo server, not yet bound. */
export interface TcpListener {
  readonly server: Server;
  /** Stops accepting; half-closes open connections, destroys them after `graceMs`. */
  close(graceMs: number): Promise<void>;
}

export interface TcpListenerOptions {
  identity: EchoIdentity;
  /** The bound port, for `ServicePort`. */
  port: () => number;
  serverFirst: boolean;
  logger: Logger;
  onConnection?: (socket: Socket) => void;
}

/** The banner a server-first listener sends before reading. */
export function serverFirstBanner(identity: EchoIdentity): string {
  return formatEchoFields([['ServerFirst', identity.hostname]]);
}

/** Creates a TCP (or server-first) echo listener. */
export function createTcpListener(options: TcpListenerOptions): TcpListener {
  const { identity, serverFirst, logger } = options;
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', (err) => logger.debug('tcp echo socket error', { error: err.message }));
    options.onConnection?.(socket);
    if (serverFirst) socket.write(serverFirstBanner(identity));
    let first = true;
    socket.on('data', (chunk: Buffer) => {
      if (first) {
        first = false;
        const entries: EchoFieldEntry[] = [
          ['StatusCode', '200'],
          ['ServiceVersion', identity.version],
          ['ServicePort', String(options.port())],
        ];
        if (identity.cluster) entries.push(['Cluster', identity.cluster]);
        if (identity.namespace) entries.push(['Namespace', identity.namespace]);
        entries.push(['IP', peerIp(socket.remoteAddress)], ['Proto', 'TCP'], ['Hostname', identity.hostname]);
        socket.write(Buffer.concat([Buffer.from(formatEchoFields(entries)), chunk]));
        return;
      }
      socket.write(chunk);
    });
    socket.on('end', () => socket.end());
  });
  return {
    server,
    close(graceMs) {
      return closeServer(server, sockets, graceMs, () => {
        for (const s of sockets) s.end();
      });
    },
  };
}
