/**
 * @module reference-impl/control-plane/main.test
 * The process contract: start main.ts exactly as the local cluster does (loopback, port 0 not
 * allowed by the contract so ephemeral ports are picked here), wait for /ready, check that the root
 * certificate was written to --ca-dir, stop with SIGTERM. Bad flags exit 1 with the flag named.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

test('main.ts serves /ready, writes root-cert.pem and stops on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cp-main-'));
  writeFileSync(join(dir, 'tokens.json'), JSON.stringify({ 'tok-a': 'node-a' }));
  const [grpc, admin] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      '--config-dir',
      join(dir, 'config'),
      '--listen',
      `127.0.0.1:${grpc}`,
      '--admin',
      `127.0.0.1:${admin}`,
      '--ca-dir',
      join(dir, 'ca'),
      '--node-tokens',
      join(dir, 'tokens.json'),
      '--trust-domain',
      'cluster.local',
      '--cert-ttl',
      '60',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  try {
    const deadline = Date.now() + 20_000;
    let ready = false;
    while (!ready && Date.now() < deadline) {
      ready = await fetch(`http://127.0.0.1:${admin}/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(ready, `ready within 20 s; stderr: ${stderr}`);
    assert.ok(existsSync(join(dir, 'ca', 'root-cert.pem')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('main.ts refuses bad flags with exit 1 and names the flag', () => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', MAIN, '--config-dir', '/tmp/x', '--cert-ttl', 'soon'],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--cert-ttl/);
});
