/**
 * resetSocket on real loopback sockets: an open connection is reset (the peer sees ECONNRESET), one
 * whose writable side was already ended is closed instead, and closes (resetAndDestroy would leave it
 * open forever: libuv refuses to reset a shutting-down handle).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { resetSocket } from './reset-socket.ts';

async function accepted(serverSide: (s: net.Socket) => void) {
  const server = net.createServer((s) => {
    s.on('error', () => {});
    serverSide(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  let got = '';
  const ended = new Promise<string>((resolve) => {
    client.on('data', (d) => {
      got += d;
    });
    client.on('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code} after "${got}"`));
    client.on('close', () => resolve(`closed after "${got}"`));
  });
  return { server, ended };
}

const closedWithin = (s: net.Socket, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (s.closed) return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    s.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
  });

test('an open connection is reset', async () => {
  let closed: Promise<boolean> = Promise.resolve(false);
  const { server, ended } = await accepted((s) => {
    resetSocket(s);
    closed = closedWithin(s, 1000);
  });
  assert.equal(await ended, 'error ECONNRESET after ""');
  assert.ok(await closed);
  server.close();
});

test('a connection whose writable side was ended is closed, not leaked', async () => {
  let closed: Promise<boolean> = Promise.resolve(false);
  const { server, ended } = await accepted((s) => {
    s.end('bye');
    resetSocket(s);
    closed = closedWithin(s, 1000);
  });
  assert.equal(await ended, 'closed after "bye"');
  assert.ok(await closed, 'the accepted socket emitted close');
  server.close();
});
