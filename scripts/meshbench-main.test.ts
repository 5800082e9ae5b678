/**
 * @module scripts/meshbench-main.test
 * ROOT, LINUX: `meshbench main` end to end on the local provider (the job `npm start` runs), then
 * `cluster status`, `call`, `apply`/`delete -f DIR`, `logs` and `cluster down` on the cluster it made. Uses its own cluster
 * name and results directory; `cluster down` is registered before `main` runs, so a failure still
 * cleans up. Skips with the reason elsewhere.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./meshbench.ts', import.meta.url));
const NAME = `mbmain${process.pid % 100000}`;

function meshbench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { MESHBENCH_PROVIDER: _p, MESHBENCH_CLUSTER: _c, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', ENTRY, '--provider', 'local', '--name', NAME, ...args],
      { env, timeout: 240_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

const skip =
  process.platform !== 'linux'
    ? 'needs Linux network namespaces'
    : process.getuid?.() !== 0
      ? 'needs root (the local provider creates network namespaces)'
      : false;

test('meshbench main: cluster up, demo workload, reachability, results file', {
  skip,
  timeout: 600_000,
}, async (t) => {
  t.after(async () => {
    const down = await meshbench(['cluster', 'down']);
    assert.equal(down.code, 0, down.stderr);
  });
  const results = mkdtempSync(join(tmpdir(), 'meshbench-main-'));
  // The conformance and latency steps are the suites npm test runs on their own (playwright, bench tests).
  const run = await meshbench([
    'main',
    '--fresh',
    '--calls',
    '5',
    '--skip',
    'conformance,latency',
    '--results',
    results,
  ]);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /main: all steps passed/);
  assert.match(run.stdout, /service echo \(VIP\)/);
  const [runDir] = readdirSync(results);
  const report = JSON.parse(readFileSync(join(results, runDir!, 'main.json'), 'utf8'));
  assert.equal(report.passed, true);
  assert.deepEqual(
    report.steps.map((s: { id: string; outcome: string }) => `${s.id}:${s.outcome}`),
    ['cluster:passed', 'deploy:passed', 'reachability:passed', 'conformance:skipped', 'latency:skipped'],
  );
  assert.equal(report.results.reachability.length, 4);

  const status = await meshbench(['cluster', 'status']);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`${NAME}\\s+│ local`));

  const vip = report.results.reachability.at(-1).url as string;
  const call = await meshbench([
    'call',
    '--from',
    'meshbench-demo/client',
    '--to',
    vip,
    '--count',
    '3',
    '-H',
    'X-Mb:1',
  ]);
  assert.equal(call.code, 0, call.stderr);
  assert.match(call.stdout, /3\/3 ok/);
  assert.match(call.stdout, /echo-/);

  const manifests = mkdtempSync(join(tmpdir(), 'meshbench-main-manifests-'));
  writeFileSync(
    join(manifests, 'extra.yaml'),
    'apiVersion: v1\nkind: Service\nmetadata: {name: extra, namespace: meshbench-demo}\nspec: {selector: {app: echo}, ports: [{port: 81, targetPort: 8080}]}\n',
  );
  const applied = await meshbench(['apply', '-f', manifests, '--wait']);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /Service\/meshbench-demo\/extra applied/);
  assert.match(applied.stdout, /all ready/);
  const deleted = await meshbench(['delete', '-f', manifests]);
  assert.equal(deleted.code, 0, deleted.stderr);

  const logs = await meshbench(['logs', 'meshbench-demo/client', '--tail', '5']);
  assert.equal(logs.code, 0, logs.stderr);
  assert.match(logs.stdout, /"hostname":"client"/);
});
