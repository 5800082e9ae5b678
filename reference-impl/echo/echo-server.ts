/**
 * @module reference-impl/echo/echo-server
 * Starts the echo app: every data listener (HTTP/1.1+h2c, gRPC, TCP, server-first) and the control
 * server, all bound before it reports ready; if one port cannot be bound, the others are closed and
 * start-up fails with the port and the reason. gRPC (@grpc/grpc-js) is loaded only when configured.
 */
import type { Server, Socket } from 'node:net';
import { MeshbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { silentLogger } from '../../core/logger.ts';
import type { EchoConfig, EchoProtocol } from './config.ts';
import { createControlServer } from './control-server.ts';
import { FailFirstCounter } from './echo-controls.ts';
import { createHttpHandler, type EchoIdentity } from './http-handler.ts';
import { createHttpListener } from './http-listener.ts';
import { createTcpListener } from './tcp-listener.ts';

/** One bound listener. */
export interface BoundListener {
  protocol: EchoProtocol | 'control';
  address: string;
  port: number;
}

/** A running echo app. */
export interface EchoInstance {
  readonly listeners: readonly BoundListener[];
  /** The bound port of the first listener of `protocol`. */
  port(protocol: EchoProtocol | 'control'): number;
  /** Stops accepting, lets in-flight work finish for up to `graceMs`, then drops the rest. */
  close(graceMs?: number): Promise<void>;
}

export interface StartEchoOptions {
  logger?: Logger;
  /** Sees every accepted HTTP/TCP/server-first connection (tests count client source ports). */
  onConnection?: (protocol: EchoProtocol, socket: Socket) => void;
}

interface Pending {
  protocol: EchoProtocol | 'control';
  requested: number;
  bound: number;
  listen(): Promise<number>;
  close(graceMs: number): Promise<void>;
}

/**
 * Holds connections accepted before every port is bound (ztunnel's "all bound before any serves"):
 * the server's own connection handlers run only once `open()` is called; `drop()` discards the held.
 */
class ConnectionGate {
  #open = false;
  readonly #held: (() => void)[] = [];
  readonly #sockets = new Set<Socket>();

  hold(server: Server): void {
    const handlers = server.listeners('connection') as ((s: Socket) => void)[];
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => {
      const run = () => {
        for (const h of handlers) h.call(server, socket);
      };
      if (this.#open) run();
      else {
        this.#sockets.add(socket);
        socket.on('error', () => {});
        this.#held.push(run);
      }
    });
  }

  open(): void {
    this.#open = true;
    for (const run of this.#held.splice(0)) run();
    this.#sockets.clear();
  }

  drop(): void {
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    this.#held.length = 0;
  }
}

function listenNet(server: Server, bind: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host: bind, port, exclusive: true }, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

function listenError(protocol: string, bind: string, port: number, err: unknown): MeshbenchError {
  const code =
    (err as NodeJS.ErrnoException).code ?? (/EADDRINUSE|EACCES|EADDRNOTAVAIL/.exec(String(err))?.[0] || '');
  const reason =
    code === 'EADDRINUSE'
      ? 'address already in use'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'EADDRNOTAVAIL'
          ? 'address not available on this host'
          : ((err as Error).message ?? String(err));
  const flag = protocol === 'control' ? '--control-port' : `--${protocol}`;
  return new MeshbenchError(
    'E_ECHO_LISTEN',
    `echo: cannot listen for ${protocol} on ${bind}:${port}: ${reason}`,
    {
      cause: err,
      hint:
        code === 'EADDRINUSE'
          ? `another process holds port ${port}; pick another with ${flag}`
          : `check ${flag} and --bind`,
      details: { protocol, port, bind, code },
    },
  );
}

/** Binds every port of `config` and serves. */
export async function startEcho(config: EchoConfig, options: StartEchoOptions = {}): Promise<EchoInstance> {
  const logger = options.logger ?? silentLogger;
  const identity: EchoIdentity = {
    version: config.version,
    cluster: config.cluster,
    hostname: config.hostname,
    namespace: config.namespace,
  };
  const counter = new FailFirstCounter();
  const pending: Pending[] = [];
  const gate = new ConnectionGate();
  // Load gRPC before binding anything, so every port is bound within the same few ticks.
  const grpcModule = config.ports.some((p) => p.protocol === 'grpc')
    ? await import('./grpc-listener.ts')
    : undefined;

  for (const { protocol, port } of config.ports) {
    const p: Pending = {
      protocol,
      requested: port,
      bound: 0,
      listen: async () => 0,
      close: async () => {},
    };
    const boundPort = () => p.bound;
    const onConnection = options.onConnection && ((s: Socket) => options.onConnection?.(protocol, s));
    if (protocol === 'http') {
      const l = createHttpListener(createHttpHandler(identity, boundPort, logger, counter), onConnection);
      gate.hold(l.server);
      p.listen = () => listenNet(l.server, config.bind, port);
      p.close = (g) => l.close(g);
    } else if (protocol === 'tcp' || protocol === 'server-first') {
      const l = createTcpListener({
        identity,
        port: boundPort,
        serverFirst: protocol === 'server-first',
        logger,
        onConnection,
      });
      gate.hold(l.server);
      p.listen = () => listenNet(l.server, config.bind, port);
      p.close = (g) => l.close(g);
    } else {
      p.listen = async () => {
        const l = await grpcModule!.startGrpcListener(identity, config.bind, port, logger);
        p.close = (g) => l.close(g);
        return l.port;
      };
    }
    pending.push(p);
  }
  const control = createControlServer(logger);
  gate.hold(control.server);
  pending.push({
    protocol: 'control',
    requested: config.controlPort,
    bound: 0,
    listen: () => listenNet(control.server, config.bind, config.controlPort),
    close: (g) => control.close(g),
  });

  const results = await Promise.allSettled(
    pending.map(async (p) => {
      p.bound = await p.listen();
    }),
  );
  const failedAt = results.findIndex((r) => r.status === 'rejected');
  if (failedAt >= 0) {
    gate.drop();
    const p = pending[failedAt]!;
    const reason = (results[failedAt] as PromiseRejectedResult).reason;
    await Promise.all(pending.filter((_, i) => results[i]!.status === 'fulfilled').map((q) => q.close(0)));
    throw listenError(p.protocol, config.bind, p.requested, reason);
  }

  gate.open();
  const listeners: BoundListener[] = pending.map((p) => ({
    protocol: p.protocol,
    address: config.bind,
    port: p.bound,
  }));
  for (const l of listeners) logger.info('listening', { ...l });
  logger.info('ready', {
    hostname: config.hostname,
    namespace: config.namespace,
    version: config.version,
    podIp: config.podIp,
    node: config.nodeName,
    serviceAccount: config.serviceAccount,
  });

  let closing: Promise<void> | undefined;
  return {
    listeners,
    port(protocol) {
      const l = listeners.find((x) => x.protocol === protocol);
      if (!l)
        throw new MeshbenchError('E_NOT_FOUND', `echo: no ${protocol} listener`, {
          hint: `start it with --${protocol}`,
        });
      return l.port;
    },
    close(graceMs = 5_000) {
      closing ??= Promise.all(pending.map((p) => p.close(graceMs))).then(() => logger.info('closed'));
      return closing;
    },
  };
}
