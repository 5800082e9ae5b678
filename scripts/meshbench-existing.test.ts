/**
 * @module scripts/meshbench-existing.test
 * The CLI with `--provider existing` against a fake Kubernetes API server on 127.0.0.1 (child
 * processes, KUBECONFIG pointing at it): list, apply, status, delete, and the unknown-context error.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type FakeApiServer, startFakeApiServer } from '../clusters/existing/fake-api-server.ts';

const ENTRY = fileURLToPath(new URL('./meshbench.ts', import.meta.url));
let api: FakeApiServer;
let env: NodeJS.ProcessEnv;
let dir: string;

function meshbench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', ENTRY, ...args],
      { env, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

before(async () => {
  api = await startFakeApiServer();
  dir = mkdtempSync(join(tmpdir(), 'meshbench-existing-'));
  writeFileSync(join(dir, 'kubeconfig'), api.kubeConfigText());
  env = {
    ...process.env,
    KUBECONFIG: join(dir, 'kubeconfig'),
    MESHBENCH_PROVIDER: 'existing',
    MESHBENCH_CLUSTER: 'fake',
  };
  writeFileSync(
    join(dir, 'app.yaml'),
    [
      'apiVersion: v1',
      'kind: Namespace',
      'metadata: {name: shop}',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: web, namespace: shop}',
      'spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}',
      '',
    ].join('\n'),
  );
});
after(() => api.close());

test('cluster list shows the kubeconfig contexts (env MESHBENCH_PROVIDER=existing)', async () => {
  const r = await meshbench(['cluster', 'list']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /fake\s+│ existing/);
});

test('apply then delete -f FILE on the context named by MESHBENCH_CLUSTER', async () => {
  const applied = await meshbench(['apply', '-f', join(dir, 'app.yaml')]);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /Namespace\/shop applied/);
  assert.match(applied.stdout, /Service\/shop\/web applied/);
  assert.ok(api.objects().some((o) => o.kind === 'Service' && o.metadata.name === 'web'));
  const deleted = await meshbench(['delete', '-f', join(dir, 'app.yaml')]);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.ok(!api.objects().some((o) => o.kind === 'Service'));
});

test('an unknown context is one E_CLUSTER_NOT_FOUND line listing the known ones', async () => {
  const r = await meshbench(['--name', 'prod', 'apply', '-f', join(dir, 'app.yaml')]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^meshbench: E_CLUSTER_NOT_FOUND: no kubeconfig context named "prod" \(use --name with one of: fake/m,
  );
  assert.equal(
    r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('meshbench:')).length,
    1,
  );
});

test('without --name the existing provider uses the current context (cluster status)', async () => {
  const { MESHBENCH_CLUSTER: _c, ...rest } = env;
  const saved = env;
  env = rest;
  try {
    const r = await meshbench(['cluster', 'status']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /fake\s+│ existing/);
    assert.match(r.stdout, /capabilities: exec, mesh:istio/);
  } finally {
    env = saved;
  }
});
