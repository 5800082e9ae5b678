/** Kubelet's pod start hook client against real unix sockets: no hook, retry until ok, a dead socket. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runPodStartHook } from './pod-start-hook.ts';

const dir = mkdtempSync(join(tmpdir(), 'mbt-hook-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const pod = { metadata: { name: 'p', namespace: 'a' } };

test('no socket file: no hook, containers start at once', async () => {
  assert.deepEqual(await runPodStartHook(join(dir, 'none.sock'), pod, { cancelled: () => false }), {
    kind: 'no-hook',
  });
});

test('the hook is asked again until it answers ok; the pod is sent as asked', async () => {
  const path = join(dir, 'hook.sock');
  const seen: unknown[] = [];
  const server = net.createServer((c) => {
    c.once('data', (d) => {
      seen.push(JSON.parse(d.toString()));
      c.end(seen.length < 3 ? '{"ok":false,"error":"not yet"}\n' : '{"ok":true,"captured":true}\n');
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  try {
    const t0 = Date.now();
    const out = await runPodStartHook(path, pod, { retryMs: 20, cancelled: () => false });
    assert.deepEqual(out, { kind: 'answered', captured: true });
    assert.equal(seen.length, 3);
    assert.deepEqual(seen[0], { type: 'add', pod });
    assert.ok(Date.now() - t0 < 5000);
  } finally {
    server.close();
  }
});

test('a hook that never answers is given up at the deadline (containers then start)', async () => {
  const silent = join(dir, 'silent.sock');
  const quiet = net.createServer(() => {});
  await new Promise<void>((r) => quiet.listen(silent, r));
  try {
    const t0 = Date.now();
    const out = await runPodStartHook(silent, pod, { deadlineMs: 300, cancelled: () => false });
    assert.equal(out.kind, 'gave-up');
    assert.ok(Date.now() - t0 < 2000);
  } finally {
    quiet.close();
  }
});

test('a pod stopped while waiting is cancelled', async () => {
  const path = join(dir, 'never.sock');
  const server = net.createServer((c) => c.once('data', () => c.end('{"ok":false,"error":"not yet"}\n')));
  await new Promise<void>((r) => server.listen(path, r));
  try {
    let stopping = false;
    setTimeout(() => {
      stopping = true;
    }, 100);
    const out = await runPodStartHook(path, pod, { retryMs: 20, cancelled: () => stopping });
    assert.deepEqual(out, { kind: 'cancelled' });
  } finally {
    server.close();
  }
});
