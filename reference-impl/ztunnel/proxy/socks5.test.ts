/**
 * SOCKS5 listener tests on loopback with the real outbound path: replies, and that every accepted
 * socket is closed (the failure reply used to end the socket before proxyOutbound reset it; Node
 * then never closed the handle: a leaked fd, and a process spinning at 100% CPU on exit).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { createWorkloadStore } from '../state/workload-store.ts';
import { loopbackPool, type startEcho, type startInbound, startLoopbackServer } from '../testing/fixtures.ts';
import { loopbackOnlyDial } from '../testing/fuzz-drive.ts';
import { handleSocks5, parseSocks5 } from './socks5.ts';

let echo: Awaited<ReturnType<typeof startEcho>>;
let inbound: Awaited<ReturnType<typeof startInbound>>;
let ca: Parameters<typeof loopbackPool>[0];
const store = createWorkloadStore();

before(async () => {
  ({ ca, echo, inbound } = await startLoopbackServer(store));
});
after(async () => {
  await inbound.close();
  await echo.close();
});

/** A SOCKS5 listener whose accepted sockets are tracked until they emit 'close'. */
async function listener() {
  const inputs = { ...inbound.inputs, pool: loopbackPool(ca) };
  const pod = { ...inbound.pod, ips: ['127.0.0.1'], dial: loopbackOnlyDial };
  const open = new Set<net.Socket>();
  const server = net.createServer((s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
    handleSocks5(inputs, pod, s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    open,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      inputs.pool.close();
    },
  };
}

/** Sends `bytes` (without half-closing) and returns everything the listener wrote until it closed. */
function exchange(port: number, bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port, '127.0.0.1', () => s.write(bytes));
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error('listener did not close the connection within 3 s'));
    }, 3000);
    s.on('data', (d) => chunks.push(d));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(t);
      resolve(Buffer.concat(chunks));
    });
  });
}

async function allClosed(open: Set<net.Socket>, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (open.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return open.size === 0;
}

test('a failed upstream gets reply 4 (host unreachable) and the accepted socket is closed', async () => {
  const l = await listener();
  // CONNECT 198.18.255.1:80: not in the store, so plain TCP; the test dial refuses it without dialling.
  const got = await exchange(l.port, Buffer.from([5, 1, 0, 5, 1, 0, 1, 198, 18, 255, 1, 0, 80]));
  assert.deepEqual([...got.subarray(0, 4)], [5, 0, 5, 4]);
  assert.ok(await allClosed(l.open, 2000), `${l.open.size} accepted socket(s) never closed`);
  await l.close();
});

test('malformed greeting, unsupported command and loopback destination are answered and closed', async () => {
  const l = await listener();
  assert.deepEqual([...(await exchange(l.port, Buffer.from([4, 1, 0])))], [5, 0xff]);
  assert.deepEqual(
    [...(await exchange(l.port, Buffer.from([5, 1, 0, 5, 2, 0, 1, 198, 18, 255, 1, 0, 80]))).subarray(0, 4)],
    [5, 0, 5, 7],
  );
  assert.deepEqual(
    [...(await exchange(l.port, Buffer.from([5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1, 0, 80]))).subarray(0, 4)],
    [5, 0, 5, 4],
  );
  assert.ok(await allClosed(l.open, 2000), `${l.open.size} accepted socket(s) never closed`);
  await l.close();
});

test('the greeting is answered as soon as it is complete, even with a partial request behind it', () => {
  const p = parseSocks5(Buffer.from([5, 1, 0, 5, 1, 0, 1, 198]));
  assert.equal(p.state, 'incomplete');
  assert.equal(p.state === 'incomplete' ? p.greetingLength : undefined, 3);
});
