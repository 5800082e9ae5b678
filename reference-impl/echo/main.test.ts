/** @module reference-impl/echo/main.test — the process contract, with main.ts run as a child process. */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseEchoFields } from './response-format.ts';
import { forward, httpCall } from './test-helpers.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const ENV = {
  ...process.env,
  POD_NAME: 'echo-v1-abc',
  POD_NAMESPACE: 'ns-a',
  POD_IP: '127.0.0.1',
  NODE_NAME: 'node-0',
  SERVICE_ACCOUNT: 'sa-a',
};

interface Child {
  proc: ChildProcess;
  lines: Record<string, unknown>[];
  exit: Promise<number | null>;
}

function run(args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let pending = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (c: string) => {
    pending += c;
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      lines.push(JSON.parse(pending.slice(0, nl)) as Record<string, unknown>);
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
  });
  proc.stderr!.resume();
  const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, lines, exit };
}

async function until(child: Child, msg: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!child.lines.some((l) => l.msg === msg)) {
    if (Date.now() > end) throw new Error(`no "${msg}" line; got ${JSON.stringify(child.lines)}`);
    if (child.proc.exitCode !== null)
      throw new Error(`exited ${child.proc.exitCode}: ${JSON.stringify(child.lines)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('main.ts binds every port, logs one JSON line per listener, serves, and exits 0 on SIGTERM', async () => {
  const started = performance.now();
  const child = run([
    '--http',
    '0',
    '--grpc',
    '0',
    '--tcp',
    '0',
    '--server-first',
    '0',
    '--control-port',
    '0',
    '--bind',
    '127.0.0.1',
    '--version',
    'v2',
    '--cluster',
    'c-1',
  ]);
  try {
    await until(child, 'ready');
    const readyMs = performance.now() - started;
    const listening = child.lines.filter((l) => l.msg === 'listening');
    assert.deepEqual(
      listening.map((l) => l.protocol),
      ['http', 'grpc', 'tcp', 'server-first', 'control'],
    );
    const port = (p: string) => listening.find((l) => l.protocol === p)!.port as number;
    const res = await httpCall(port('http'), '/from-test');
    const f = parseEchoFields(res.body);
    assert.deepEqual(f.Hostname, ['echo-v1-abc']);
    assert.deepEqual(f.Namespace, ['ns-a']);
    assert.deepEqual(f.ServiceVersion, ['v2']);
    assert.deepEqual(f.Cluster, ['c-1']);
    const { outcomes } = await forward(port('control'), {
      url: `grpc://127.0.0.1:${port('grpc')}`,
      body: 'x',
    });
    assert.equal(outcomes[0]!.ok, true, JSON.stringify(outcomes[0]!.error));
    assert.ok(readyMs < 15_000, `ready after ${Math.round(readyMs)} ms`);
  } finally {
    child.proc.kill('SIGTERM');
  }
  assert.equal(await child.exit, 0);
  assert.ok(child.lines.some((l) => l.msg === 'closed'));
});

test('a port in use fails start-up fast with a clear message and exit code 1', async () => {
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  const held = (holder.address() as { port: number }).port;
  try {
    const child = run(['--http', String(held), '--tcp', '0', '--control-port', '0', '--bind', '127.0.0.1']);
    assert.equal(await child.exit, 1);
    const error = child.lines.find((l) => l.level === 'error');
    assert.ok(error, JSON.stringify(child.lines));
    assert.equal(error.code, 'E_ECHO_LISTEN');
    assert.match(String(error.msg), new RegExp(`http on 127\\.0\\.0\\.1:${held}: address already in use`));
    assert.match(String(error.msg), /--http/);
  } finally {
    holder.close();
  }
});

test('a bad flag exits 2 naming the flag', async () => {
  const child = run(['--http', 'abc']);
  assert.equal(await child.exit, 2);
  const error = child.lines.find((l) => l.level === 'error');
  assert.equal(error?.code, 'E_FLAG');
  assert.match(String(error?.msg), /--http/);
});
