/**
 * In-process tests of the Deployment, Job and Endpoints controllers (no root needed).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject, PodInfo } from '../../cluster.ts';
import { reconcileDeployment, reconcileJob, serviceEndpoints } from './controllers.ts';

const deployment = (replicas: number, annotation = ''): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'd', uid: 'u1', generation: 1 },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: {
        labels: { app: 'web' },
        annotations: annotation ? { 'kubectl.kubernetes.io/restartedAt': annotation } : {},
      },
      spec: { containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 8080 }] }] },
    },
  },
});

const infoOf =
  (ready: Set<string>, ips: Record<string, string> = {}) =>
  (p: KubeObject): PodInfo => ({
    namespace: 'd',
    name: p.metadata.name,
    node: 'node0',
    ip: ips[p.metadata.name] ?? '198.18.16.9',
    phase: 'Running',
    ready: ready.has(p.metadata.name),
    labels: p.metadata.labels ?? {},
    serviceAccount: 'default',
    restarts: 0,
    containers: [],
    hostNetwork: false,
  });

test('a Deployment creates its replicas, then scales down', () => {
  const d = deployment(3);
  const first = reconcileDeployment(d, [], infoOf(new Set()));
  assert.equal(first.create.length, 3);
  assert.ok(
    first.create.every((p) => p.metadata.labels?.app === 'web' && p.metadata.labels['pod-template-hash']),
  );
  const pods = first.create;
  const ready = new Set(pods.map((p) => p.metadata.name));
  const steady = reconcileDeployment(d, pods, infoOf(ready));
  assert.equal(steady.create.length + steady.delete.length, 0);
  assert.equal((steady.status as { readyReplicas: number }).readyReplicas, 3);
  const down = reconcileDeployment(deployment(1), pods, infoOf(ready));
  assert.equal(down.delete.length, 2);
});

test('a template change rolls: old pods go only as new ones become ready', () => {
  const old = reconcileDeployment(deployment(2), [], infoOf(new Set())).create;
  const oldReady = new Set(old.map((p) => p.metadata.name));
  const roll = reconcileDeployment(deployment(2, 'now'), old, infoOf(oldReady));
  assert.equal(roll.create.length, 2);
  assert.equal(roll.delete.length, 0, 'no new pod ready yet: keep every old one');
  const oneReady = new Set([...oldReady, roll.create[0]!.metadata.name]);
  const next = reconcileDeployment(deployment(2, 'now'), [...old, ...roll.create], infoOf(oneReady));
  assert.equal(next.delete.length, 1);
});

test('a Job completes after its completions succeed', () => {
  const job: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'd' },
    spec: {
      completions: 2,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } },
    },
  };
  const first = reconcileJob(job, [], infoOf(new Set()));
  assert.equal(first.create.length, 1, 'parallelism 1');
  const done = (p: KubeObject): PodInfo => ({ ...infoOf(new Set())(p), phase: 'Succeeded' });
  const pods = [first.create[0]!, reconcileJob(job, [], infoOf(new Set())).create[0]!];
  const end = reconcileJob(job, pods, done);
  assert.deepEqual(
    (end.status as { conditions: { type: string }[] }).conditions.map((c) => c.type),
    ['Complete'],
  );
});

test('endpoints: ready pods only, named target ports resolved', () => {
  const svc: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'd' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  };
  const pods = reconcileDeployment(deployment(2), [], infoOf(new Set())).create;
  const ips = { [pods[0]!.metadata.name]: '198.18.16.2', [pods[1]!.metadata.name]: '198.18.16.3' };
  const eps = serviceEndpoints(svc, pods, infoOf(new Set([pods[1]!.metadata.name]), ips));
  assert.deepEqual(
    eps.map((e) => [e.ip, e.ports[0]?.targetPort]),
    [['198.18.16.3', 8080]],
  );
});
