/**
 * In-process HBONE tests on loopback: real TLS 1.3 + HTTP/2 CONNECT through the real inbound handler.
 * Statuses (200/400/401/503), identity checks, pooling, rotation.
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { after, before, test } from 'node:test';
import tls from 'node:tls';
import { createTestCa, type TestCa } from '../identity/test-ca.ts';
import { tlsContextOptions } from '../identity/tls-options.ts';
import { createWorkloadStore } from '../state/workload-store.ts';
import {
  loopbackPool,
  policy,
  type startEcho,
  type startInbound,
  startLoopbackServer,
} from '../testing/fixtures.ts';
import { HboneConnectError } from './pool.ts';

const SERVER_ID = 'spiffe://cluster.local/ns/server-ns/sa/server';
const CLIENT_ID = 'spiffe://cluster.local/ns/client-ns/sa/client';
let ca: TestCa;
let echo: Awaited<ReturnType<typeof startEcho>>;
let inbound: Awaited<ReturnType<typeof startInbound>>;
const store = createWorkloadStore();

before(async () => {
  ({ ca, echo, inbound } = await startLoopbackServer(store));
});
after(async () => {
  await inbound.close();
  await echo.close();
});

const request = (authority: string, destinationIdentity = SERVER_ID) => ({
  sourceIdentity: CLIENT_ID,
  destinationIdentity,
  address: { ip: '127.0.0.1', port: inbound.port },
  authority,
  headers: { forwarded: 'for="127.0.0.1:1"' },
  timeoutMs: 2000,
});

async function roundTrip(stream: Duplex, text: string): Promise<string> {
  stream.write(text);
  return await new Promise((resolve, reject) => {
    let got = '';
    stream.on('data', (d) => {
      got += d;
      if (got.length >= text.length) resolve(got);
    });
    stream.on('error', reject);
  });
}

const status = async (p: Promise<unknown>) => {
  try {
    await p;
    return 200;
  } catch (err) {
    return err instanceof HboneConnectError ? (err.status ?? -1) : -2;
  }
};

test('CONNECT 200: bytes flow both ways over mTLS and the destination sees the source identity', async () => {
  const pool = loopbackPool(ca);
  const lines: string[] = [];
  const stream = await pool.connect(request(`127.0.0.1:${echo.port}`));
  assert.equal(await roundTrip(stream, 'hello-hbone'), 'hello-hbone');
  stream.end();
  await new Promise((r) => stream.on('close', r));
  await new Promise((r) => setTimeout(r, 50));
  const metrics = await inbound.registry.metrics();
  assert.match(
    metrics,
    /istio_tcp_connections_opened_total\{[^}]*source_principal="spiffe:\/\/cluster.local\/ns\/client-ns\/sa\/client"/,
  );
  assert.match(metrics, /connection_security_policy="mutual_tls"/);
  assert.match(metrics, /istio_tcp_received_bytes_total\{[^}]*\} 11/);
  void lines;
  pool.close();
});

test('CONNECT 400 when the authority IP is not the connection destination IP', async () => {
  const pool = loopbackPool(ca);
  assert.equal(await status(pool.connect(request(`127.0.0.2:${echo.port}`))), 400);
  pool.close();
});

test('CONNECT 503 when the upstream connect fails', async () => {
  const pool = loopbackPool(ca);
  assert.equal(await status(pool.connect(request('127.0.0.1:1'))), 503);
  pool.close();
});

test('CONNECT 401 when a policy denies, 200 again when it is removed', async () => {
  const pool = loopbackPool(ca);
  store.upsertAuthorization(
    policy('deny-client', 'server-ns', 'DENY', [{ namespaces: [{ exact: 'client-ns' }] }]),
  );
  assert.equal(await status(pool.connect(request(`127.0.0.1:${echo.port}`))), 401);
  store.removeAuthorization('server-ns/deny-client');
  assert.equal(await status(pool.connect(request(`127.0.0.1:${echo.port}`))), 200);
  pool.close();
});

test('a live connection is closed when a new policy no longer allows it', async () => {
  const pool = loopbackPool(ca);
  const stream = await pool.connect(request(`127.0.0.1:${echo.port}`));
  assert.equal(await roundTrip(stream, 'before'), 'before');
  const closed = new Promise((r) => stream.on('close', r));
  store.upsertAuthorization(
    policy('only-other', 'server-ns', 'ALLOW', [{ namespaces: [{ exact: 'other' }] }]),
  );
  await closed;
  store.removeAuthorization('server-ns/only-other');
  pool.close();
});

test('non-CONNECT requests and bad authorities get 400', async () => {
  const cert = await ca.issue(CLIENT_ID);
  const session = http2.connect(`https://127.0.0.1:${inbound.port}`, {
    ...tlsContextOptions(cert),
    ALPNProtocols: ['h2'],
    checkServerIdentity: () => undefined,
  });
  const ask = (headers: http2.OutgoingHttpHeaders) =>
    new Promise<number>((resolve, reject) => {
      const req = session.request(headers, { endStream: headers[':method'] !== 'CONNECT' });
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('error', reject);
      req.resume();
    });
  assert.equal(await ask({ ':method': 'GET', ':path': '/' }), 400);
  assert.equal(await ask({ ':method': 'CONNECT', ':authority': 'not-an-ip:80' }), 400);
  assert.equal(await ask({ ':method': 'CONNECT', ':authority': '127.0.0.1:99999' }), 400);
  session.destroy();
});

test('the client refuses a peer whose SAN is not the expected identity', async () => {
  const pool = loopbackPool(ca);
  assert.notEqual(
    await status(pool.connect(request(`127.0.0.1:${echo.port}`, 'spiffe://cluster.local/ns/x/sa/y'))),
    200,
  );
  pool.close();
});

async function handshake(options: tls.ConnectionOptions): Promise<'ok' | 'failed'> {
  return await new Promise((resolve) => {
    const s = tls.connect({
      host: '127.0.0.1',
      port: inbound.port,
      ALPNProtocols: ['h2'],
      rejectUnauthorized: false,
      ...options,
    });
    s.on('secureConnect', () => {
      // The server may still reject after the handshake (identity check): wait for data or close.
      const t = setTimeout(() => {
        resolve(s.destroyed ? 'failed' : 'ok');
        s.destroy();
      }, 200);
      s.on('close', () => {
        clearTimeout(t);
        resolve('failed');
      });
    });
    s.on('error', () => resolve('failed'));
  });
}

test('the server refuses no client cert, a foreign CA, an expired cert and a foreign trust domain', async () => {
  const foreign = await createTestCa('other.local');
  const good = await ca.issue(CLIENT_ID);
  assert.equal(await handshake({ ...tlsContextOptions(good) }), 'ok');
  assert.equal(await handshake({ minVersion: 'TLSv1.3' }), 'failed');
  const alien = await foreign.issue('spiffe://cluster.local/ns/a/sa/b');
  assert.equal(await handshake({ ...tlsContextOptions(alien) }), 'failed');
  const expired = await ca.issue(CLIENT_ID, {
    notBefore: new Date(Date.now() - 7200_000),
    notAfter: new Date(Date.now() - 3600_000),
  });
  assert.equal(await handshake({ ...tlsContextOptions(expired) }), 'failed');
  const otherTd = await ca.issue('spiffe://evil.local/ns/a/sa/b');
  assert.equal(await handshake({ ...tlsContextOptions(otherTd) }), 'failed');
  assert.equal(
    await handshake({ ...tlsContextOptions(good), maxVersion: 'TLSv1.2', minVersion: 'TLSv1.2' }),
    'failed',
  );
  const metrics = await inbound.registry.metrics();
  assert.match(metrics, /ztunnel_rejected_connections_total\{listener="hbone",reason="tls"\} [1-9]/);
  assert.match(
    metrics,
    /ztunnel_rejected_connections_total\{listener="hbone",reason="peer-identity"\} [1-9]/,
  );
});

test('pool: streams share a connection up to the limit, then a new one opens', async () => {
  const pool = loopbackPool(ca, { maxStreams: 2 });
  const streams = [];
  for (let i = 0; i < 3; i++) streams.push(await pool.connect(request(`127.0.0.1:${echo.port}`)));
  assert.equal(pool.connectionCount(), 2);
  for (const s of streams) s.destroy();
  pool.close();
});

test('certificate rotation on the server does not break live or new streams', async () => {
  const pool = loopbackPool(ca);
  const live = await pool.connect(request(`127.0.0.1:${echo.port}`));
  inbound.server.setCertificate(await ca.issue(SERVER_ID));
  assert.equal(await roundTrip(live, 'still-alive'), 'still-alive');
  const pool2 = loopbackPool(ca);
  const fresh = await pool2.connect(request(`127.0.0.1:${echo.port}`));
  assert.equal(await roundTrip(fresh, 'fresh'), 'fresh');
  live.destroy();
  fresh.destroy();
  pool.close();
  pool2.close();
});
