/**
 * @module reference-impl/echo/test-helpers
 * Helpers for the echo's own tests (not used at run time): an echo on 127.0.0.1 with ephemeral ports,
 * raw HTTP helpers, the forward API client, and a minimal SOCKS5 proxy (CONNECT, no auth).
 */
import { request } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { EchoConfig, EchoProtocol } from './config.ts';
import { type EchoInstance, startEcho } from './echo-server.ts';
import type { ForwardResponse } from './wire-types.ts';

/** A test echo plus the client source ports each listener saw. */
export interface TestEcho {
  echo: EchoInstance;
  port(protocol: EchoProtocol | 'control'): number;
  /** `remotePort`s of accepted connections, per protocol. */
  seenPorts: Map<EchoProtocol, number[]>;
  close(): Promise<void>;
}

/** Starts an echo on 127.0.0.1 with every listener on an ephemeral port. */
export async function startTestEcho(overrides: Partial<EchoConfig> = {}): Promise<TestEcho> {
  const seenPorts = new Map<EchoProtocol, number[]>();
  const echo = await startEcho(
    {
      ports: [
        { protocol: 'http', port: 0 },
        { protocol: 'grpc', port: 0 },
        { protocol: 'tcp', port: 0 },
        { protocol: 'server-first', port: 0 },
      ],
      controlPort: 0,
      bind: '127.0.0.1',
      version: 'v1',
      cluster: 'test-cluster',
      hostname: 'echo-pod-1',
      namespace: 'echo-ns',
      podIp: '127.0.0.1',
      nodeName: 'node-1',
      serviceAccount: 'default',
      ...overrides,
    },
    {
      onConnection: (protocol, socket) => {
        const list = seenPorts.get(protocol) ?? [];
        list.push(socket.remotePort ?? 0);
        seenPorts.set(protocol, list);
      },
    },
  );
  return { echo, port: (p) => echo.port(p), seenPorts, close: () => echo.close(1000) };
}

/** A plain HTTP/1.1 exchange. */
export function httpCall(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** POSTs a raw forward body; returns status and parsed JSON. */
export async function forwardRaw(
  controlPort: number,
  body: string,
): Promise<{ status: number; json: unknown }> {
  const res = await httpCall(controlPort, '/forward', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, json: JSON.parse(res.body) as unknown };
}

/** Calls the forward API and expects 200. */
export async function forward(
  controlPort: number,
  callRequest: Record<string, unknown>,
): Promise<ForwardResponse> {
  const { status, json } = await forwardRaw(controlPort, JSON.stringify(callRequest));
  if (status !== 200) throw new Error(`forward answered ${status}: ${JSON.stringify(json)}`);
  return json as ForwardResponse;
}

/** A minimal SOCKS5 proxy for tests; `replyCode` other than 0 rejects every CONNECT with it. */
export async function startTestSocks5(
  replyCode = 0,
): Promise<{ port: number; connects: string[]; close(): Promise<void> }> {
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    let buf = Buffer.alloc(0);
    let stage: 'greeting' | 'request' | 'piping' = 'greeting';
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (stage === 'greeting') {
        if (buf.length < 2 || buf.length < 2 + buf[1]!) return;
        buf = buf.subarray(2 + buf[1]!);
        client.write(Buffer.from([5, 0]));
        stage = 'request';
      }
      if (stage === 'request') {
        if (buf.length < 5) return;
        const atyp = buf[3]!;
        const addrLen = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + buf[4]!;
        if (buf.length < 4 + addrLen + 2) return;
        const host =
          atyp === 1
            ? [...buf.subarray(4, 8)].join('.')
            : atyp === 3
              ? buf.subarray(5, 5 + buf[4]!).toString()
              : '::1';
        const port = buf.readUInt16BE(4 + addrLen);
        const rest = buf.subarray(4 + addrLen + 2);
        connects.push(`${host}:${port}`);
        client.off('data', onData);
        stage = 'piping';
        const reply = (code: number) => Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]);
        if (replyCode !== 0) {
          client.end(reply(replyCode));
          return;
        }
        const upstream = connect({ host, port });
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.once('connect', () => {
          client.write(reply(0));
          if (rest.length) upstream.write(rest);
          client.pipe(upstream).pipe(client);
        });
        upstream.on('error', () => client.end(reply(5)));
      }
    };
    client.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    connects,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
