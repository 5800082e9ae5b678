/**
 * @module reference-impl/waypoint/upstream.test
 * Upstream HTTP/1.1 connection reuse: requests through `createUpstreamClients` share keep-alive
 * streams per endpoint (one dial for sequential requests, at most one per concurrent request), over
 * real loopback sockets wrapped like the waypoint's HBONE streams.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';
import type { Workload } from '../api/workload.ts';
import { createUpstreamClients, type UpstreamTarget } from './upstream.ts';

async function withServer(fn: (port: number, conns: () => number) => Promise<void>): Promise<void> {
  let conns = 0;
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  server.on('connection', () => conns++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn((server.address() as net.AddressInfo).port, () => conns);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

const get = (agent: http.Agent, port: number) =>
  new Promise<string>((resolve, reject) => {
    const req = http.request(
      { agent, method: 'GET', path: '/', headers: { host: `echo:${port}` } },
      (res) => {
        let b = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (b += c));
        res.on('end', () => resolve(b));
      },
    );
    req.on('error', reject);
    req.end();
  });

test('sequential and concurrent HTTP/1.1 requests reuse upstream streams', async () => {
  await withServer(async (port, conns) => {
    let dials = 0;
    const clients = createUpstreamClients(async () => {
      dials++;
      const s = net.connect({ host: '127.0.0.1', port });
      await new Promise<void>((r, j) => {
        s.once('connect', r);
        s.once('error', j);
      });
      return s;
    });
    const target: UpstreamTarget = { workload: { uid: 'w1' } as Workload, ip: '127.0.0.1', port };
    try {
      for (let i = 0; i < 20; i++) assert.equal(await get(clients.agent(target), port), 'ok');
      assert.equal(dials, 1, 'sequential requests share one upstream stream');
      await Promise.all(Array.from({ length: 8 }, () => get(clients.agent(target), port)));
      for (let i = 0; i < 20; i++) await get(clients.agent(target), port);
      assert.ok(dials <= 8, `at most one stream per concurrent request, got ${dials}`);
      assert.equal(conns(), dials);
      // Node's http client adds an 'error' listener per request; reuse must take it off again.
      for (const sockets of Object.values(clients.agent(target).freeSockets))
        for (const s of sockets ?? [])
          assert.ok(s.listenerCount('error') <= 3, `${s.listenerCount('error')} error listeners`);
    } finally {
      clients.close();
    }
  });
});
