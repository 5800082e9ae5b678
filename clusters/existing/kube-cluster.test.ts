/**
 * @module clusters/existing/kube-cluster.test
 * The Kubernetes-API Cluster against a fake API server on 127.0.0.1 (object API only; the data
 * plane is not faked, so call/exec/logs are not exercised here).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hasCode } from '../../core/errors.ts';
import type { KubeObject } from '../cluster.ts';
import type { CommandRunner } from './command-runner.ts';
import { createExistingProvider } from './existing-provider.ts';
import { type FakeApiServer, startFakeApiServer } from './fake-api-server.ts';
import { parseForwardReply } from './forward-call.ts';
import { connectKubeCluster, type KubeCluster, MANAGED_LABEL } from './kube-cluster.ts';
import { execExitCode } from './pod-exec.ts';

let api: FakeApiServer;
let cluster: KubeCluster;

const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } };
const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'echo', namespace: 'demo', labels: { app: 'echo' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'echo' } },
    template: {
      metadata: { labels: { app: 'echo' } },
      spec: { containers: [{ name: 'echo', image: 'meshbench/echo' }] },
    },
  },
};
const service: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'echo', namespace: 'demo' },
  spec: { selector: { app: 'echo' }, ports: [{ port: 80, targetPort: 8080 }] },
};

before(async () => {
  api = await startFakeApiServer();
  cluster = await connectKubeCluster({
    name: 'fake',
    provider: 'existing',
    kubeConfig: api.kubeConfig(),
    pollMs: 20,
  });
});
after(() => api.close());

test('connect finds capabilities from discovery; usage reads PodMetrics when metrics.k8s.io is served', async () => {
  assert.ok(cluster.capabilities.has('exec'));
  assert.ok(cluster.capabilities.has('mesh:istio'));
  assert.ok(!cluster.capabilities.has('usage'));
  const withMetrics = await startFakeApiServer({
    metrics: (ns, pod) =>
      pod === 'echo-1'
        ? {
            kind: 'PodMetrics',
            apiVersion: 'metrics.k8s.io/v1beta1',
            metadata: { name: pod, namespace: ns },
            timestamp: '2026-01-01T00:00:00Z',
            window: '10.5s',
            containers: [
              { name: 'echo', usage: { cpu: '200m', memory: '64Mi' } },
              { name: 'proxy', usage: { cpu: '50000000n', memory: '1024Ki' } },
            ],
          }
        : undefined,
  });
  try {
    const c = await connectKubeCluster({
      name: 'm',
      provider: 'existing',
      kubeConfig: withMetrics.kubeConfig(),
    });
    assert.ok(c.capabilities.has('usage'));
    const u = await c.usage({ namespace: 'demo', name: 'echo-1' });
    assert.ok(Math.abs(u.cpuSeconds - 0.25 * 10.5) < 1e-9, String(u.cpuSeconds));
    assert.equal(u.memoryBytes, 64 * 2 ** 20 + 2 ** 20);
    assert.equal(u.sampledAt, '2026-01-01T00:00:00Z');
    await assert.rejects(c.usage({ namespace: 'demo', name: 'nope' }), (err) => hasCode(err, 'E_KUBE_API'));
  } finally {
    await withMetrics.close();
  }
});

test('apply uses server-side apply, namespaces first, and labels namespaces as managed', async () => {
  api.requests.length = 0;
  await cluster.apply([deployment, service, ns]);
  const patches = api.requests.filter((r) => r.method === 'PATCH');
  assert.deepEqual(
    patches.map((p) => p.path),
    [
      '/api/v1/namespaces/demo',
      '/api/v1/namespaces/demo/services/echo',
      '/apis/apps/v1/namespaces/demo/deployments/echo',
    ],
  );
  for (const p of patches) {
    assert.equal(p.contentType, 'application/apply-patch+yaml');
    assert.equal(p.query.get('fieldManager'), 'meshbench');
    assert.equal(p.query.get('force'), 'true');
  }
  const stored = await cluster.get({ kind: 'Namespace', name: 'demo' });
  assert.equal(stored?.metadata.labels?.[MANAGED_LABEL], 'meshbench');
});

test('apply validates everything first: one bad object, nothing sent', async () => {
  api.requests.length = 0;
  const bad = structuredClone(deployment);
  (bad.spec as { replicas: unknown }).replicas = 'two';
  await assert.rejects(
    cluster.apply([ns, bad]),
    (err) => hasCode(err, 'E_MANIFEST_SCHEMA') && /spec\.replicas/.test(err.message),
  );
  assert.equal(api.requests.filter((r) => r.method !== 'GET').length, 0);
});

test('get returns undefined for a missing object; list filters by label', async () => {
  assert.equal(await cluster.get({ kind: 'Service', namespace: 'demo', name: 'nope' }), undefined);
  const deployments = await cluster.list('Deployment', 'demo', { app: 'echo' });
  assert.deepEqual(
    deployments.map((d) => d.metadata.name),
    ['echo'],
  );
  assert.equal(deployments[0]?.kind, 'Deployment');
  assert.deepEqual(await cluster.list('apps/v1/Deployment', 'demo', { app: 'other' }), []);
});

test('waitReady waits for the Deployment to become available, with a deadline', async () => {
  await assert.rejects(
    cluster.waitReady([deployment], { timeoutMs: 100 }),
    (err) =>
      hasCode(err, 'E_TIMEOUT') && /Deployment demo\/echo \(0\/2 replicas available\)/.test(err.message),
  );
  setTimeout(
    () =>
      api.setStatus('apps/v1', 'Deployment', 'demo', 'echo', {
        observedGeneration: 1,
        availableReplicas: 2,
        updatedReplicas: 2,
      }),
    60,
  );
  await cluster.waitReady([deployment, { kind: 'Service', namespace: 'demo', name: 'echo' }], {
    timeoutMs: 5000,
  });
});

test('waitReady fails at once for a failed Job', async () => {
  api.put({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'demo' },
    status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] },
  });
  await assert.rejects(
    cluster.waitReady([{ kind: 'Job', namespace: 'demo', name: 'j' }], { timeoutMs: 5000 }),
    (err) => hasCode(err, 'E_CLUSTER_STATE') && /BackoffLimitExceeded/.test(err.message),
  );
});

test('pods lists PodInfo by label', async () => {
  api.put({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'echo-1', namespace: 'demo', labels: { app: 'echo' } },
    spec: { nodeName: 'n1', containers: [{ name: 'echo', image: 'meshbench/echo' }] },
    status: {
      phase: 'Running',
      podIP: '10.0.0.7',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'echo', ready: true, restartCount: 1, image: 'x', imageID: 'x', state: { running: {} } },
      ],
    },
  });
  const pods = await cluster.pods('demo', { app: 'echo' });
  assert.equal(pods.length, 1);
  assert.deepEqual(
    {
      name: pods[0]!.name,
      ip: pods[0]!.ip,
      node: pods[0]!.node,
      ready: pods[0]!.ready,
      restarts: pods[0]!.restarts,
    },
    { name: 'echo-1', ip: '10.0.0.7', node: 'n1', ready: true, restarts: 1 },
  );
});

test('unsupported abilities say so', async () => {
  await assert.rejects(cluster.capture({ underlay: true }), (err) => hasCode(err, 'E_UNSUPPORTED'));
  await assert.rejects(cluster.usage({ namespace: 'demo', name: 'echo-1' }), (err) =>
    hasCode(err, 'E_UNSUPPORTED'),
  );
  await assert.rejects(cluster.installMesh({ implementation: 'reference' }), (err) =>
    hasCode(err, 'E_UNSUPPORTED'),
  );
});

test('installMesh istio without istioctl is E_TOOL_MISSING naming how to get it', async () => {
  const missing: CommandRunner = async () => ({ exitCode: -1, stdout: '', stderr: '', missing: true });
  const c = await connectKubeCluster({
    name: 'fake',
    provider: 'existing',
    kubeConfig: api.kubeConfig(),
    runner: missing,
  });
  await assert.rejects(
    c.installMesh({ implementation: 'istio' }),
    (err) =>
      hasCode(err, 'E_TOOL_MISSING') && /istioctl/.test(err.message) && /downloadIstio/.test(err.message),
  );
});

test('a pod that does not exist is E_NOT_FOUND for call, exec and logs', async () => {
  const ghost = { namespace: 'demo', name: 'ghost' };
  await assert.rejects(cluster.call(ghost, { url: 'http://x' }), (err) => hasCode(err, 'E_NOT_FOUND'));
  await assert.rejects(cluster.exec(ghost, ['true']), (err) => hasCode(err, 'E_NOT_FOUND'));
  await assert.rejects(cluster.logs(ghost), (err) => hasCode(err, 'E_NOT_FOUND'));
});

test('delete ignores missing objects; teardown removes managed namespaces', async () => {
  await cluster.delete([service, { kind: 'Service', namespace: 'demo', name: 'never-existed' }]);
  assert.equal(await cluster.get({ kind: 'Service', namespace: 'demo', name: 'echo' }), undefined);
  await cluster.teardown();
  assert.equal(await cluster.get({ kind: 'Namespace', name: 'demo' }), undefined);
});

test('an unreachable API server is one E_KUBE_API line naming the server', async () => {
  const dead = await startFakeApiServer();
  const kc = dead.kubeConfig();
  await dead.close();
  await assert.rejects(
    connectKubeCluster({ name: 'dead', provider: 'existing', kubeConfig: kc }),
    (err) => hasCode(err, 'E_KUBE_API') && err.message.includes(dead.url) && !err.message.includes('\n'),
  );
});

test('the existing provider: contexts are clusters; unknown context lists the known ones', async () => {
  const provider = createExistingProvider({ kubeconfig: api.kubeConfig() });
  const list = await provider.list();
  assert.deepEqual(
    list.map((c) => [c.name, c.provider, c.healthy]),
    [['fake', 'existing', true]],
  );
  await assert.rejects(
    provider.connect('prod'),
    (err) => hasCode(err, 'E_CLUSTER_NOT_FOUND') && /fake/.test(err.message),
  );
  const down = await provider.down('prod');
  assert.equal(down.existed, false);
  const c = await provider.up({ name: 'current' });
  assert.equal(c.provider, 'existing');
  assert.equal(c.name, 'fake', 'current resolves to the context name');
  await c.apply([ns]);
  const report = await provider.down('fake');
  assert.equal(report.existed, true);
  assert.equal(report.removed.namespaces, 1);
});

test('exec exit codes and forward replies are read as the API and echo send them', () => {
  assert.equal(execExitCode({ status: 'Success' }), 0);
  assert.equal(
    execExitCode({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    }),
    3,
  );
  const outcome = { index: 0, ok: true, status: 200, latencyMs: 1, fields: {}, body: '' };
  assert.deepEqual(parseForwardReply(JSON.stringify({ outcomes: [outcome] })), [outcome]);
  assert.throws(() => parseForwardReply('{}'));
});
