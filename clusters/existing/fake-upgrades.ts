/**
 * @module clusters/existing/fake-upgrades
 * TEST SUPPORT for fake-api-server.ts: the WebSocket endpoints of a pod, port-forward
 * (`v4.channel.k8s.io`, relayed to a loopback port the test names) and exec (`v5`/`v4`, run as a
 * real host process when the test enables it).
 */
import { spawn } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FakeApiServerOptions, SeenRequest } from './fake-types.ts';
import { acceptWebSocket } from './fake-websocket.ts';

/** Serves one upgrade request (exec or port-forward); anything else is refused. */
export function handleUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  options: FakeApiServerOptions,
  requests: SeenRequest[],
): void {
  const url = new URL(req.url ?? '/', 'http://fake');
  if (/^\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+\/exec$/.test(url.pathname)) {
    requests.push({ method: 'EXEC', path: url.pathname, query: url.searchParams, contentType: '' });
    if (!options.hostExec) {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(/\s*,\s*/);
    const v5 = offered.includes('v5.channel.k8s.io');
    const ws = acceptWebSocket(req, socket, v5 ? 'v5.channel.k8s.io' : 'v4.channel.k8s.io');
    const [file, ...args] = url.searchParams.getAll('command');
    const child = spawn(file ?? 'true', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => {});
    child.stdout.on('data', (d: Buffer) => ws.send(Buffer.concat([Buffer.from([1]), d])));
    child.stderr.on('data', (d: Buffer) => ws.send(Buffer.concat([Buffer.from([2]), d])));
    ws.onMessage((p) => {
      if (p[0] === 0) child.stdin.write(p.subarray(1));
      else if (p[0] === 255 && p[1] === 0) child.stdin.end();
    });
    child.on('error', (err) => {
      ws.send(
        Buffer.concat([
          Buffer.from([3]),
          Buffer.from(JSON.stringify({ status: 'Failure', message: err.message })),
        ]),
      );
      ws.close();
    });
    child.on('close', (code) => {
      const status =
        code === 0
          ? { status: 'Success' }
          : {
              status: 'Failure',
              reason: 'NonZeroExitCode',
              details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
            };
      ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(status))]));
      ws.close();
    });
    ws.onClose(() => {
      if (child.exitCode === null) child.kill();
    });
    return;
  }
  const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(url.pathname);
  const port = Number(url.searchParams.get('ports'));
  const target = m ? options.portForwardTarget?.(m[1]!, m[2]!, port) : undefined;
  requests.push({ method: 'UPGRADE', path: url.pathname, query: url.searchParams, contentType: '' });
  if (!m || target === undefined) {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const ws = acceptWebSocket(req, socket, 'v4.channel.k8s.io');
  const portBytes = Buffer.from([port & 0xff, port >> 8]);
  ws.send(Buffer.concat([Buffer.from([0]), portBytes]));
  ws.send(Buffer.concat([Buffer.from([1]), portBytes]));
  const upstream = tcpConnect(target, '127.0.0.1');
  upstream.on('data', (d: Buffer) => ws.send(Buffer.concat([Buffer.from([0]), d])));
  upstream.on('close', () => ws.close());
  upstream.on('error', (err) => {
    ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(`error forwarding port ${port}: ${err.message}`)]));
    ws.close();
  });
  ws.onMessage((p) => {
    if (p[0] === 0 && p.length > 1) upstream.write(p.subarray(1));
  });
  ws.onClose(() => upstream.destroy());
}
