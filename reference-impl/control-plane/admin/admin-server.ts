/**
 * @module reference-impl/control-plane/admin/admin-server
 * The admin HTTP port (15014): `/ready` (200 once serving), `/debug/model`, `/debug/push-status`,
 * `/debug/events`, `/metrics` (Prometheus text).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { MeshbenchError } from '../../../core/errors.ts';

export interface AdminSources {
  ready: () => boolean;
  model: () => unknown;
  pushStatus: () => unknown;
  events: () => unknown;
  registry: Registry;
}

/** Starts the admin server; resolves with its port and a close function. */
export async function startAdminServer(
  host: string,
  port: number,
  sources: AdminSources,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin');
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(body, null, 2)}\n`);
    };
    try {
      switch (url.pathname) {
        case '/ready':
          res.writeHead(sources.ready() ? 200 : 503, { 'content-type': 'text/plain' });
          res.end(sources.ready() ? 'ready\n' : 'not ready\n');
          return;
        case '/debug/model':
          return json(200, sources.model());
        case '/debug/push-status':
          return json(200, sources.pushStatus());
        case '/debug/events':
          return json(200, sources.events());
        case '/metrics':
          sources.registry.metrics().then(
            (text) => {
              res.writeHead(200, { 'content-type': sources.registry.contentType });
              res.end(text);
            },
            (err) => json(500, { error: String(err) }),
          );
          return;
        default:
          return json(404, {
            error: `no such endpoint ${url.pathname}`,
            endpoints: ['/ready', '/debug/model', '/debug/push-status', '/debug/events', '/metrics'],
          });
      }
    } catch (err) {
      json(500, { error: String(err) });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(
        new MeshbenchError('E_MESH_CONFIG', `admin server cannot listen on ${host}:${port}`, { cause: err }),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
