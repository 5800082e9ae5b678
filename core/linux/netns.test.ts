/**
 * Root-only: creates two throwaway network namespaces joined by a veth (198.18.250.0/30), listens in
 * one and connects from the other, all without touching the caller's namespace.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { connectFromNetns, listenTcpIn, openNetns, originalDestination } from './netns.ts';

const isRoot = process.getuid?.() === 0;
const A = `mbtest-core-a-${process.pid}`;
const B = `mbtest-core-b-${process.pid}`;
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

before(() => {
  if (!isRoot) return;
  ip('netns', 'add', A);
  ip('netns', 'add', B);
  ip(
    'link',
    'add',
    `mbta${process.pid % 10000}`,
    'netns',
    A,
    'type',
    'veth',
    'peer',
    'name',
    'eth0',
    'netns',
    B,
  );
  ip('-n', A, 'link', 'set', `mbta${process.pid % 10000}`, 'name', 'eth0');
  ip('-n', A, 'addr', 'add', '198.18.250.1/30', 'dev', 'eth0');
  ip('-n', B, 'addr', 'add', '198.18.250.2/30', 'dev', 'eth0');
  for (const ns of [A, B]) {
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
});

after(() => {
  if (!isRoot) return;
  for (const ns of [A, B]) {
    try {
      ip('netns', 'del', ns);
    } catch {}
  }
});

test('listen in one namespace, connect from another, see the real source address', {
  skip: !isRoot && 'needs root',
}, async () => {
  const nsA = openNetns(A);
  const nsB = openNetns(B);
  const fd = listenTcpIn(nsA, '0.0.0.0', 7001);
  const seen = new Promise<{ remote: string; dst: { address: string; port: number } }>((resolve) => {
    const server = net.createServer((sock) => {
      resolve({ remote: sock.remoteAddress ?? '', dst: originalDestination(sock) });
      sock.end('hello');
      server.close();
    });
    server.listen({ fd });
  });
  const client = connectFromNetns(nsB, { host: '198.18.250.1', port: 7001, mark: 0x539 });
  const data = await new Promise<string>((resolve, reject) => {
    let buf = '';
    client.on('data', (d) => {
      buf += d;
    });
    client.on('end', () => resolve(buf));
    client.on('error', reject);
  });
  assert.equal(data, 'hello');
  const { remote, dst } = await seen;
  assert.equal(remote, '198.18.250.2');
  // Not redirected: SO_ORIGINAL_DST is the real local address.
  assert.deepEqual(dst, { address: '198.18.250.1', port: 7001 });
  nsA.close();
  nsB.close();
});
