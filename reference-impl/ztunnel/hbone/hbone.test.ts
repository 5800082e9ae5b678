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
    setTimeout(() => reject(new Error(`no echo of ${JSON.stringify(text)} within 10 s`)), 10_000).unref();
    let got = '';
    stream.on('data', (d) => {
      got += d;
      if (got.length >= text.length) resolve(got);
    });
    stream.on('error', reject);
  });
}

/** Counts the HTTP/2 sessions the inbound server accepts until `stop()`. */
function countServerSessions(): { readonly count: number; stop(): void } {
  let count = 0;
  const onSession = () => {
    count += 1;
  };
  inbound.server.server.on('session', onSession);
  return {
    get count() {
      return count;
    },
    stop: () => inbound.server.server.off('session', onSession),
  };
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

/**
 * Opens `count` CONNECT streams to the echo server at once on one HTTP/2 session and reports how each
 * ended: 'echoed' (200 and its bytes came back), 'refused' (RST_STREAM REFUSED_STREAM), or anything
 * else ('status-N', 'rst-N', 'hung' when nothing happened within `withinMs`).
 */
async function burst(
  count: number,
  peerMaxConcurrentStreams: number | undefined,
  withinMs: number,
  authority: (i: number) => string = () => `127.0.0.1:${echo.port}`,
) {
  const cert = await ca.issue(CLIENT_ID);
  const session = http2.connect(`https://127.0.0.1:${inbound.port}`, {
    ...tlsContextOptions(cert),
    ALPNProtocols: ['h2'],
    checkServerIdentity: () => undefined,
    ...(peerMaxConcurrentStreams ? { peerMaxConcurrentStreams } : {}),
  });
  session.on('error', () => {});
  const ended = new Map<string, number>();
  const count1 = (k: string) => ended.set(k, (ended.get(k) ?? 0) + 1);
  await Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<void>((resolve) => {
          const payload = `stream-${i}`;
          const req = session.request({ ':method': 'CONNECT', ':authority': authority(i) });
          let status = 0;
          let got = '';
          const t = setTimeout(() => {
            count1('hung');
            req.close(http2.constants.NGHTTP2_CANCEL);
            resolve();
          }, withinMs);
          req.on('response', (h) => {
            status = Number(h[':status']);
            if (status === 200) req.end(payload);
            else req.close();
          });
          req.on('data', (d) => {
            got += d;
          });
          req.on('error', () => {});
          req.on('close', () => {
            clearTimeout(t);
            if (status === 200 && got === payload) count1('echoed');
            else if (status === 0 && req.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM)
              count1('refused');
            else count1(status ? `status-${status}` : `rst-${req.rstCode}`);
            resolve();
          });
        }),
    ),
  );
  const alive = !session.closed && !session.destroyed;
  session.destroy();
  return { ended: Object.fromEntries(ended), alive };
}

test('1000 streams at once on one session (client keeps to SETTINGS_MAX_CONCURRENT_STREAMS): all complete', {
  timeout: 120_000,
}, async (t) => {
  const r = await burst(1000, undefined, 60_000);
  t.diagnostic(JSON.stringify(r.ended));
  assert.deepEqual(r.ended, { echoed: 1000 });
  assert.ok(r.alive, 'the session is still usable');
});

test('4000 streams sent before the server SETTINGS arrive: the admitted ones complete, the rest are refused', {
  timeout: 120_000,
}, async (t) => {
  // peerMaxConcurrentStreams: the client assumes 4000 until it reads the server's SETTINGS (200), so
  // the whole burst is on the wire first. Streams over the limit must get REFUSED_STREAM (safe to
  // retry), the accepted ones must still complete, and none may hang.
  const r = await burst(4000, 4000, 60_000);
  t.diagnostic(JSON.stringify(r.ended));
  const { echoed = 0, refused = 0, ...other } = r.ended;
  assert.deepEqual(other, {}, `only echoed or refused streams: ${JSON.stringify(r.ended)}`);
  assert.ok(echoed >= 200, `at least the 200 admitted streams complete: ${JSON.stringify(r.ended)}`);
  assert.equal(echoed + refused, 4000);
  assert.ok(r.alive, 'refusing streams does not cost the session');
});

test('4000 CONNECTs through one pooled connection, two thirds answered 400/503: the connection survives', {
  timeout: 120_000,
}, async (t) => {
  // Every RST_STREAM a server receives costs a token of nghttp2's rapid-reset guard (CVE-2023-44487:
  // burst 1000, +33/s), then GOAWAY(INTERNAL_ERROR) ends the session and every stream on it. A client
  // that resets each stream answered with an error (its CONNECT side is still open) loses its pooled
  // connection, and the healthy streams sharing it, after ~1000 failed connects.
  const pool = loopbackPool(ca);
  const sessions = countServerSessions();
  const targets = [`127.0.0.1:${echo.port}`, '127.0.0.1:1', `127.0.0.2:${echo.port}`];
  const ended = new Map<string, number>();
  const count1 = (k: string) => ended.set(k, (ended.get(k) ?? 0) + 1);
  let next = 0;
  // An application keeping 100 connections in flight (the pool's streams per connection).
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      while (next < 4000) {
        const i = next++;
        try {
          const stream = await pool.connect({ ...request(targets[i % 3]!), timeoutMs: 30_000 });
          count1((await roundTrip(stream, `s${i}`)) === `s${i}` ? 'echoed' : 'wrong-bytes');
          stream.end();
        } catch (err) {
          count1(err instanceof HboneConnectError && err.status ? `status-${err.status}` : 'failed');
        }
      }
    }),
  );
  sessions.stop();
  t.diagnostic(`${JSON.stringify(Object.fromEntries(ended))}, HTTP/2 sessions opened ${sessions.count}`);
  assert.deepEqual(Object.fromEntries(ended), { echoed: 1334, 'status-503': 1333, 'status-400': 1333 });
  // 1 or 2: a slot is released when its stream has closed, which can trail the answer a little.
  assert.ok(sessions.count <= 2, `${sessions.count} connections: some were lost (GOAWAY) and reopened`);
  pool.close();
});

test('3000 tunnels reset by their clients through one pool: a long-lived tunnel sharing the connection survives', {
  timeout: 120_000,
}, async (t) => {
  // A proxied connection whose client resets ends its HBONE stream with RST_STREAM(CANCEL); the
  // server's rapid-reset guard (burst 1000, +33/s) GOAWAYs a connection that carried too many, with
  // every live tunnel on it. The pool must move new tunnels to a fresh connection first.
  const pool = loopbackPool(ca);
  const sessions = countServerSessions();
  const victim = await pool.connect(request(`127.0.0.1:${echo.port}`));
  let victimError: Error | undefined;
  victim.on('error', (err) => {
    victimError = err;
  });
  assert.equal(await roundTrip(victim, 'before'), 'before');
  let failed = 0;
  const errors = new Set<string>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < 3000) {
        next += 1;
        try {
          const s = await pool.connect(request(`127.0.0.1:${echo.port}`));
          s.on('error', () => {});
          s.destroy(); // what pipe.ts does when the client side resets
          await new Promise((r) => s.once('close', r));
        } catch (err) {
          failed += 1;
          errors.add(String(err));
        }
      }
    }),
  );
  sessions.stop();
  t.diagnostic(`sessions opened ${sessions.count}, failed connects ${failed} ${[...errors].join('; ')}`);
  victim.removeAllListeners('data');
  assert.equal(
    await roundTrip(victim, 'after the resets'),
    'after the resets',
    'the long-lived tunnel still works',
  );
  assert.equal(victimError, undefined);
  assert.equal(failed, 0, 'no CONNECT failed');
  assert.ok(sessions.count >= 2, `the pool moved new tunnels to a fresh connection (${sessions.count})`);
  victim.end();
  pool.close();
});
