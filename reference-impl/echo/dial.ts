/**
 * @module reference-impl/echo/dial
 * Opens the TCP connection of a call: directly, or through a SOCKS5 proxy (`socks` package, loaded only
 * when used) as ztunnel's opt-in 15080 listener offers. Either way the result is a connected socket.
 */
import { connect, type Socket } from 'node:net';
import { abortError } from './call-error.ts';

/** `host:port`. */
export interface Endpoint {
  host: string;
  port: number;
}

export interface DialOptions {
  socks5?: Endpoint;
  /** Aborts the dial (a timeout or a cancelled forward). */
  signal: AbortSignal;
  /** For the timeout message. */
  timeoutMs: number;
}

/** Connects to `target`; rejects with the socket error, or a CallError when `signal` fires. */
export async function dial(target: Endpoint, options: DialOptions): Promise<Socket> {
  const { signal } = options;
  if (signal.aborted) throw abortError(signal, options.timeoutMs);
  const pending = options.socks5 ? viaSocks5(target, options.socks5) : direct(target);
  return new Promise<Socket>((resolve, reject) => {
    const onAbort = () => {
      reject(abortError(signal, options.timeoutMs));
      pending.then((s) => s.destroy()).catch(() => {});
    };
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (socket) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) return;
        socket.setNoDelay(true);
        resolve(socket);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function direct(target: Endpoint): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

async function viaSocks5(target: Endpoint, proxy: Endpoint): Promise<Socket> {
  const { SocksClient } = await import('socks');
  const { socket } = await SocksClient.createConnection({
    proxy: { host: proxy.host, port: proxy.port, type: 5 },
    command: 'connect',
    destination: { host: target.host, port: target.port },
    timeout: 120_000,
  });
  return socket;
}

/** Parses `host:port` or `[v6]:port`; undefined when malformed. */
export function parseEndpoint(text: string): Endpoint | undefined {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:\s[\]]+):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port > 0 && port <= 65535 ? { host: m[1]!, port } : undefined;
}
