/**
 * @module clusters/kind/kind-provider.test
 * The kind provider with an injected command runner: command lines, config, missing-tool errors,
 * and `up` ending in a Kubernetes-API Cluster (on a fake API server at 127.0.0.1). One test runs
 * the real preflight on this machine.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { hasCode } from '../../core/errors.ts';
import type { CommandResult, CommandRunner } from '../existing/command-runner.ts';
import { execaRunner } from '../existing/command-runner.ts';
import { startFakeApiServer } from '../existing/fake-api-server.ts';
import { createClusterArgs, kindClusterConfig, parseClusterList } from './kind-commands.ts';
import { createKindProvider } from './kind-provider.ts';
import { findMissing } from './preflight.ts';

const ok = (stdout = ''): CommandResult => ({ exitCode: 0, stdout, stderr: '' });
const missing: CommandResult = { exitCode: -1, stdout: '', stderr: '', missing: true };

/** A runner answering from a table keyed by `file arg0 arg1`, recording every call. */
function fakeRunner(answers: Record<string, CommandResult | ((args: readonly string[]) => CommandResult)>) {
  const calls: string[][] = [];
  const runner: CommandRunner = async (file, args) => {
    calls.push([file, ...args]);
    const key = [file, ...args.slice(0, 2)].join(' ');
    const a = answers[key] ?? answers[file];
    if (!a) return ok();
    return typeof a === 'function' ? a(args) : a;
  };
  return { runner, calls };
}

const tools = { kind: ok('kind v0.30.0'), docker: ok('27.0.1'), kubectl: ok('Client Version: v1.32') };

test('the kind config has one control-plane node and N-1 workers', () => {
  assert.deepEqual(parse(kindClusterConfig(3)), {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    nodes: [{ role: 'control-plane' }, { role: 'worker' }, { role: 'worker' }],
  });
  assert.equal(parse(kindClusterConfig(1)).nodes.length, 1);
  assert.deepEqual(createClusterArgs('mb', '/tmp/c.yaml', 60), [
    'create',
    'cluster',
    '--name',
    'mb',
    '--config',
    '/tmp/c.yaml',
    '--wait',
    '60s',
  ]);
  assert.deepEqual(parseClusterList('a\nmeshbench\n'), ['a', 'meshbench']);
  assert.deepEqual(parseClusterList('No kind clusters found.\n'), []);
});

test('missing kind, engine and kubectl: one line naming each and how to get it', async () => {
  const { runner } = fakeRunner({
    kind: missing,
    docker: {
      exitCode: 1,
      stdout: '',
      stderr:
        'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    },
    kubectl: missing,
  });
  const provider = createKindProvider({ runner, env: {} });
  await assert.rejects(provider.up({ name: 'mb' }), (err) => {
    assert.ok(hasCode(err, 'E_TOOL_MISSING'));
    assert.ok(!err.message.includes('\n'), 'one line');
    assert.match(err.message, /kind is not installed/);
    assert.match(err.message, /no container engine running \(docker is installed/);
    assert.match(err.message, /Cannot connect to the Docker daemon/);
    assert.match(err.message, /kubectl is not installed/);
    assert.match(err.message, /go install sigs\.k8s\.io\/kind/);
    assert.match(err.message, /--provider local/);
    return true;
  });
});

test('podman is checked instead of docker with KIND_EXPERIMENTAL_PROVIDER=podman', async () => {
  const { runner, calls } = fakeRunner({ ...tools, podman: missing });
  const found = await findMissing(runner, { KIND_EXPERIMENTAL_PROVIDER: 'podman' });
  assert.deepEqual(
    found.map((m) => m.what),
    ['no container engine (podman not found)'],
  );
  assert.ok(calls.some((c) => c[0] === 'podman'));
});

test('up creates the cluster with a config of N nodes, exports the kubeconfig and connects to kind-<name>', async () => {
  const api = await startFakeApiServer();
  try {
    const kc = api.kubeConfig();
    const text = new KubeConfig();
    text.loadFromOptions({
      clusters: [{ name: 'kind-mb', server: kc.getCurrentCluster()!.server, skipTLSVerify: true }],
      users: [{ name: 'kind-mb', token: 't' }],
      contexts: [{ name: 'kind-mb', cluster: 'kind-mb', user: 'kind-mb' }],
      currentContext: 'kind-mb',
    });
    let created = false;
    let configSeen = '';
    const { runner, calls } = fakeRunner({
      ...tools,
      'kind get clusters': () => ok(created ? 'mb\n' : ''),
      'kind create cluster': (args) => {
        created = true;
        configSeen = args[args.indexOf('--config') + 1]!;
        return ok();
      },
      'kind get kubeconfig': ok(text.exportConfig()),
    });
    const stateDir = mkdtempSync(join(tmpdir(), 'meshbench-kind-'));
    const provider = createKindProvider({ runner, env: {}, stateDir, waitSeconds: 30 });
    const steps: string[] = [];
    const cluster = await provider.up({ name: 'mb', nodes: 3, onProgress: (s) => steps.push(s) });
    assert.equal(cluster.provider, 'kind');
    assert.equal(cluster.name, 'mb');
    assert.ok(steps.length >= 3);
    const create = calls.find((c) => c[1] === 'create')!;
    assert.deepEqual(create.slice(0, 5), ['kind', 'create', 'cluster', '--name', 'mb']);
    assert.ok(configSeen.endsWith('.yaml'));
    assert.ok(calls.some((c) => c.join(' ') === 'kind get kubeconfig --name mb'));
    // The Cluster talks to the API server of the exported context.
    await cluster.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }]);
    assert.ok(api.objects().some((o) => o.kind === 'Namespace' && o.metadata.name === 'x'));
    await assert.rejects(provider.up({ name: 'mb' }), (err) => hasCode(err, 'E_CLUSTER_EXISTS'));
  } finally {
    await api.close();
  }
});

test('down deletes an existing cluster and reports a missing one; list parses kind get clusters', async () => {
  const { runner, calls } = fakeRunner({
    ...tools,
    'kind get clusters': ok('mb\nother\n'),
    'kind get nodes': (args) => ok(args.includes('mb') ? 'mb-control-plane\nmb-worker\n' : ''),
  });
  const provider = createKindProvider({
    runner,
    env: {},
    stateDir: mkdtempSync(join(tmpdir(), 'meshbench-kind-')),
  });
  assert.equal((await provider.down('gone')).existed, false);
  assert.ok(!calls.some((c) => c[1] === 'delete'));
  assert.equal((await provider.down('mb')).existed, true);
  assert.ok(calls.some((c) => c.join(' ') === 'kind delete cluster --name mb'));
  const list = await provider.list();
  assert.deepEqual(
    list.map((c) => [c.name, c.nodes, c.healthy]),
    [
      ['mb', 2, true],
      ['other', 0, false],
    ],
  );
  await assert.rejects(provider.connect('nope'), (err) => hasCode(err, 'E_CLUSTER_NOT_FOUND'));
  await assert.rejects(provider.up({ name: 'Bad_Name' }), (err) => hasCode(err, 'E_FLAG'));
});

test('on this machine the real preflight names what is missing (no Docker engine here)', async (t) => {
  const found = await findMissing(execaRunner);
  if (found.length === 0) return t.skip('kind, a container engine and kubectl are all present here');
  assert.ok(found.every((m) => m.what && m.fix));
});
