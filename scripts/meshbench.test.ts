/**
 * @module scripts/meshbench.test
 * The CLI as users run it: a child process (`node --import tsx scripts/meshbench.ts ...`), checked
 * on exit code and on the one-line error contract. Per-command `--help` runs in-process through
 * `runCli` (the same code path, without a process start per command).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MeshbenchError } from '../core/errors.ts';
import { runCli } from './cli/program.ts';

const ENTRY = fileURLToPath(new URL('./meshbench.ts', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The test's environment without the CLI's own overrides, so defaults apply. */
function cleanEnv(): NodeJS.ProcessEnv {
  const { MESHBENCH_PROVIDER: _p, MESHBENCH_CLUSTER: _c, ...rest } = process.env;
  return rest;
}

function meshbench(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', ENTRY, ...args],
      { env: { ...cleanEnv(), ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function inProcess(args: string[], signal?: AbortSignal): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: {
      write: (s: string) => {
        stdout += s;
        return true;
      },
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
        return true;
      },
    },
    env: {},
    ...(signal ? { signal } : {}),
  });
  return { code, stdout, stderr };
}

/** The one-line error contract: exactly one stderr line `meshbench: <code>: <cause>`. */
function assertOneLineError(r: Run, code: RegExp): void {
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('meshbench: '));
  assert.equal(lines.length, 1, `one error line expected, stderr:\n${r.stderr}`);
  assert.match(lines[0]!, new RegExp(`^meshbench: ${code.source}: \\S`));
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack without --debug');
}

test('meshbench --help lists every command and the global options (child process)', async () => {
  const r = await meshbench(['--help']);
  assert.equal(r.code, 0, r.stderr);
  for (const word of ['main', 'cluster', 'apply', 'delete', 'call', 'logs', 'mesh', '--provider', '--name']) {
    assert.match(r.stdout, new RegExp(word));
  }
  assert.match(r.stdout, /MESHBENCH_PROVIDER/);
  assert.match(r.stdout, /MESHBENCH_CLUSTER/);
});

test('--help of each command', async () => {
  const commands = [
    ['main'],
    ['cluster'],
    ['cluster', 'up'],
    ['cluster', 'down'],
    ['cluster', 'status'],
    ['cluster', 'list'],
    ['apply'],
    ['delete'],
    ['call'],
    ['logs'],
    ['mesh'],
    ['mesh', 'install'],
    ['mesh', 'uninstall'],
  ];
  for (const cmd of commands) {
    const r = await inProcess([...cmd, '--help']);
    assert.equal(r.code, 0, `${cmd.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^Usage: meshbench ${cmd.join(' ')}`, 'm'), cmd.join(' '));
  }
  const call = await inProcess(['call', '--help']);
  for (const flag of ['--from', '--to', '--count', '--header', '--new-conn'])
    assert.match(call.stdout, new RegExp(flag));
});

test('an unknown flag is one E_FLAG line and exit code 2 (child process)', async () => {
  const r = await meshbench(['cluster', 'up', '--bogus']);
  assert.equal(r.code, 2);
  assertOneLineError(r, /E_FLAG/);
  assert.match(r.stderr, /--bogus/);
});

test('typos get one line with the suggestion', async () => {
  const r = await inProcess(['clustr', 'list']);
  assert.equal(r.code, 2);
  assertOneLineError(r, /E_FLAG/);
  assert.match(r.stderr, /unknown command 'clustr' \(Did you mean cluster\?\)/);
});

test('bad flag values are exit code 2', async () => {
  for (const args of [
    ['cluster', 'up', '--nodes', 'zero'],
    ['--provider', 'docker', 'cluster', 'list'],
    ['call', '--from', 'nopod', '--to', 'http://x'],
    ['call', '--from', 'ns/pod', '--to', 'ftp://x'],
    ['call', '--from', 'ns/pod'],
    ['main', '--skip', 'nosuchstep'],
    ['logs'],
  ]) {
    const r = await inProcess(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assertOneLineError(r, /E_FLAG/);
  }
});

test('MESHBENCH_PROVIDER is honoured and validated (child process)', async () => {
  const r = await meshbench(['cluster', 'list'], { MESHBENCH_PROVIDER: 'nope' });
  assert.equal(r.code, 2);
  assertOneLineError(r, /E_FLAG/);
  assert.match(r.stderr, /nope/);
});

test('a bad manifest names file, object and field, and exits non-zero (child process)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshbench-cli-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Namespace',
      'metadata: {name: demo}',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: web, namespace: demo}',
      'spec:',
      '  replicas: three',
      '  selector: {matchLabels: {app: web}}',
      '  template:',
      '    metadata: {labels: {app: web}}',
      '    spec: {containers: [{name: web, image: meshbench/echo}]}',
      '',
    ].join('\n'),
  );
  const r = await meshbench(['apply', '-f', file]);
  assert.notEqual(r.code, 0);
  assertOneLineError(r, /E_MANIFEST_\w+/);
  assert.match(r.stderr, /bad\.yaml/);
  assert.match(r.stderr, /Deployment demo\/web/);
  assert.match(r.stderr, /spec\.replicas/);
  assert.equal(r.stdout, '', 'nothing applied');
});

test('a missing -f path is a usage error naming the path', async () => {
  const r = await inProcess(['delete', '-f', '/nonexistent/meshbench.yaml']);
  assert.equal(r.code, 2);
  assertOneLineError(r, /E_FLAG/);
  assert.match(r.stderr, /\/nonexistent\/meshbench\.yaml/);
});

test('--debug adds the stack after the one line', async () => {
  const r = await inProcess(['--debug', 'apply', '-f', '/nonexistent.yaml']);
  assert.match(r.stderr, /^meshbench: E_FLAG: /);
  assert.match(r.stderr, /^\s+at /m);
});

test('cluster down of a missing cluster says so clearly (local provider, child process)', async (t) => {
  const r = await meshbench(['cluster', 'down', '--name', 'mbtest-missing-0']);
  if (/not built yet/.test(r.stderr)) return t.skip('the local provider has not landed yet');
  if (/E_NOT_ROOT/.test(r.stderr)) return t.skip('the local provider needs root');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /no cluster named "mbtest-missing-0" on provider local: nothing to remove/);
});

test('cluster status of a missing cluster is E_CLUSTER_NOT_FOUND with the command to create it', async (t) => {
  const r = await meshbench(['cluster', 'status', '--name', 'mbtest-missing-0']);
  if (/not built yet/.test(r.stderr)) return t.skip('the local provider has not landed yet');
  if (/E_NOT_ROOT/.test(r.stderr)) return t.skip('the local provider needs root');
  assert.equal(r.code, 1);
  assertOneLineError(r, /E_CLUSTER_NOT_FOUND/);
  assert.match(r.stderr, /cluster up --name mbtest-missing-0/);
});

test('an interrupted main stops before the next step, records it, and exits 130', async () => {
  const results = mkdtempSync(join(tmpdir(), 'meshbench-cli-int-'));
  const interrupt = new AbortController();
  interrupt.abort(new MeshbenchError('E_INTERRUPTED', 'interrupted by SIGINT'));
  const r = await inProcess(['--name', 'mbtest-int', 'main', '--results', results], interrupt.signal);
  assert.equal(r.code, 130);
  assertOneLineError(r, /E_INTERRUPTED/);
  const [run] = readdirSync(results);
  const report = JSON.parse(readFileSync(join(results, run!, 'main.json'), 'utf8'));
  assert.equal(report.passed, false);
  assert.ok(report.steps.every((s: { outcome: string }) => s.outcome === 'skipped'));
});
