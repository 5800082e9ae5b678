/**
 * @module reference-impl/ztunnel/admin/admin-server
 * ztunnel's three HTTP endpoints: admin on 127.0.0.1:15000 (`/config_dump`, `/certs` — never private
 * keys), metrics on :15020 (`/stats/prometheus`), readiness on :15021 (`/healthz/ready`).
 */
import http from 'node:http';
import type { Registry } from 'prom-client';

/** What the endpoints read. */
export interface AdminSources {
  registry: Registry;
  configDump(): unknown;
  certs(): unknown;
  ready(): boolean;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}

/** Starts the three servers; resolves once all are listening. */
export async function startAdminServers(
  sources: AdminSources,
  ports: { admin: number; metrics: number; readiness: number },
  bindAddress = '0.0.0.0',
): Promise<{ close(): Promise<void> }> {
  const admin = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/config_dump') return json(res, 200, sources.configDump());
    if (path === '/certs') return json(res, 200, sources.certs());
    if (path === '/healthz/ready') return json(res, sources.ready() ? 200 : 503, { ready: sources.ready() });
    json(res, 404, { error: 'not found', endpoints: ['/config_dump', '/certs'] });
  });
  const metrics = http.createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/stats/prometheus')
      return json(res, 404, { error: 'try /stats/prometheus' });
    sources.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': sources.registry.contentType });
        res.end(text);
      },
      (err) => json(res, 500, { error: String(err) }),
    );
  });
  const readiness = http.createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/healthz/ready')
      return json(res, 404, { error: 'try /healthz/ready' });
    const ok = sources.ready();
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(ok ? 'ready\n' : 'not ready\n');
  });
  const listen = (s: http.Server, port: number, host: string) =>
    new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, host, () => resolve());
    });
  const all = [admin, metrics, readiness];
  try {
    await listen(admin, ports.admin, '127.0.0.1');
    await listen(metrics, ports.metrics, bindAddress);
    await listen(readiness, ports.readiness, bindAddress);
  } catch (err) {
    for (const s of all) s.close();
    throw err;
  }
  return {
    close: () =>
      Promise.all(all.map((s) => new Promise<void>((r) => (s.listening ? s.close(() => r()) : r())))).then(
        () => {},
      ),
  };
}
