/**
 * HBONE server keepalive on loopback with real mTLS + HTTP/2: a session nghttp2 terminated with its
 * rapid-reset GOAWAY is closed once its peer has gone (without keepalive it stays open: the control
 * with a long interval), and a healthy idle session answers the PINGs and stays usable.
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { test } from 'node:test';
import { defaultConfig } from '../config.ts';
import { tlsContextOptions } from '../identity/tls-options.ts';
import { createWorkloadStore } from '../state/workload-store.ts';
import { startLoopbackServer } from '../testing/fixtures.ts';

const CLIENT_ID = 'spiffe://cluster.local/ns/client-ns/sa/client';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function lab(keepaliveIntervalMs: number, keepaliveTimeoutMs: number) {
  const { ca, echo, inbound } = await startLoopbackServer(createWorkloadStore(), {
    ...defaultConfig,
    hbone: { ...defaultConfig.hbone, keepaliveIntervalMs, keepaliveTimeoutMs },
  });
  const cert = await ca.issue(CLIENT_ID);
  const connect = async () => {
    const session = http2.connect(`https://127.0.0.1:${inbound.port}`, {
      ...tlsContextOptions(cert),
      ALPNProtocols: ['h2'],
      checkServerIdentity: () => undefined,
    });
    session.on('error', () => {});
    await new Promise((r) => session.once('connect', r));
    return session;
  };
  const serverConnections = () =>
    new Promise<number>((r) => inbound.server.server.getConnections((_e, n) => r(n)));
  const close = async () => {
    await inbound.close();
    await echo.close();
  };
  return { echo, connect, serverConnections, close };
}

/** Opens CONNECT streams and cancels each at once until the server's rapid-reset guard GOAWAYs. */
async function rapidReset(session: http2.ClientHttp2Session, authority: string): Promise<number | undefined> {
  let goaway: number | undefined;
  session.once('goaway', (code) => {
    goaway = code;
  });
  for (let i = 0; i < 3000 && goaway === undefined && !session.destroyed; i++) {
    try {
      const req = session.request({ ':method': 'CONNECT', ':authority': authority });
      req.on('error', () => {});
      setImmediate(() => req.close(http2.constants.NGHTTP2_CANCEL));
    } catch {
      break;
    }
    if (i % 50 === 49) await sleep(2);
  }
  await sleep(200);
  return goaway;
}

test('a session the server terminated for rapid resets is closed by keepalive once the client has gone', {
  timeout: 30_000,
}, async () => {
  const l = await lab(500, 500);
  try {
    const session = await l.connect();
    const goaway = await rapidReset(session, `127.0.0.1:${l.echo.port}`);
    assert.ok(goaway !== undefined, 'the server sent GOAWAY (rapid-reset guard)');
    session.destroy();
    const deadline = Date.now() + 5000;
    while ((await l.serverConnections()) > 0 && Date.now() < deadline) await sleep(50);
    assert.equal(await l.serverConnections(), 0, 'no connection left on the HBONE server');
  } finally {
    await l.close();
  }
});

test('control: without a keepalive probe in time, that session stays open after the client has gone', {
  timeout: 30_000,
}, async () => {
  const l = await lab(60_000, 60_000);
  try {
    const session = await l.connect();
    assert.ok((await rapidReset(session, `127.0.0.1:${l.echo.port}`)) !== undefined);
    session.destroy();
    await sleep(2000);
    assert.equal(await l.serverConnections(), 1, 'the stack alone never sees the FIN');
  } finally {
    await l.close();
  }
});

test('a healthy idle session answers the PINGs, stays open over several intervals and still carries a CONNECT', {
  timeout: 30_000,
}, async () => {
  const l = await lab(200, 500);
  try {
    const session = await l.connect();
    let pings = 0;
    session.on('ping', () => {
      pings += 1;
    });
    await sleep(1500);
    assert.ok(pings >= 2, `the server probed the idle session (${pings} PINGs)`);
    assert.equal(await l.serverConnections(), 1);
    assert.ok(!session.closed && !session.destroyed);
    const req = session.request({ ':method': 'CONNECT', ':authority': `127.0.0.1:${l.echo.port}` });
    const status = await new Promise<number>((r) => req.once('response', (h) => r(Number(h[':status']))));
    assert.equal(status, 200);
    req.close();
    session.destroy();
  } finally {
    await l.close();
  }
});
