/**
 * Root-only: reachability through the echo app's forward API (`call()`), on a 2-node cluster
 * (`mbtecho`) with three echo pods: pod→pod on the same node and across nodes, pod→Service VIP
 * over many calls reaches every replica, DNS short and full names, no way out; `podHttp`.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Cluster, KubeObject, PodInfo } from '../cluster.ts';
import { REPO_ROOT } from './images.ts';
import { createLocalProvider } from './provider.ts';
import { assertNothingLeft, isRoot } from './test-support.ts';

const NAME = 'mbtecho';
const NS = 'echo';
const hasEcho = existsSync(`${REPO_ROOT}/reference-impl/echo/main.ts`);
const skip = !isRoot
  ? 'needs root (network namespaces)'
  : !hasEcho
    ? 'reference-impl/echo/main.ts not built yet'
    : false;
const provider = createLocalProvider();
let cluster: Cluster;
let pods: PodInfo[];

const echo: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'echo', namespace: NS },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'echo' } },
      template: {
        metadata: { labels: { app: 'echo', version: 'v1' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'gcr.io/istio-testing/app:latest',
              args: ['--http', '8080', '--tcp', '9090', '--version', 'v1'],
              ports: [
                { name: 'http', containerPort: 8080 },
                { name: 'tcp', containerPort: 9090 },
              ],
              readinessProbe: { httpGet: { path: '/healthz', port: 7071 }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'echo', namespace: NS },
    spec: {
      selector: { app: 'echo' },
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'tcp', port: 9000, targetPort: 9090 },
      ],
    },
  },
];

before(async () => {
  if (skip) return;
  await provider.down(NAME);
  cluster = await provider.up({ name: NAME, nodes: 2 });
  await cluster.apply(echo);
  await cluster.waitReady([{ kind: 'Deployment', namespace: NS, name: 'echo' }], { timeoutMs: 60_000 });
  pods = await cluster.pods(NS, { app: 'echo' });
});

after(async () => {
  if (skip) return;
  await provider.down(NAME);
  assertNothingLeft(NAME);
});

const hostnames = (outcomes: { fields: Record<string, string[]> }[]) =>
  outcomes.map((o) => o.fields.Hostname?.[0]);

test('echo pod to pod, same node and across nodes', { skip }, async () => {
  const from = pods[0]!;
  for (const to of pods) {
    const r = await cluster.call(from, { url: `http://${to.ip}:8080/`, count: 2 });
    assert.ok(
      r.outcomes.every((o) => o.ok && o.status === 200),
      JSON.stringify(r.outcomes[0]),
    );
    assert.deepEqual(new Set(hostnames(r.outcomes)), new Set([to.name]));
  }
  assert.ok(
    pods.some((p) => p.node === from.node && p.name !== from.name) || pods.some((p) => p.node !== from.node),
  );
});

test('echo through the Service VIP reaches every replica; DNS names', { skip }, async () => {
  const from = pods[1]!;
  for (const url of [`http://echo.${NS}.svc.cluster.local/`, 'http://echo/']) {
    const r = await cluster.call(from, { url, count: 30, newConnectionPerRequest: true });
    assert.ok(
      r.outcomes.every((o) => o.ok),
      JSON.stringify(r.outcomes.find((o) => !o.ok)),
    );
    assert.deepEqual(new Set(hostnames(r.outcomes)), new Set(pods.map((p) => p.name)));
  }
  const tcp = await cluster.call(from, { url: 'tcp://echo:9000', body: 'hello', count: 1 });
  assert.ok(tcp.outcomes[0]?.ok, JSON.stringify(tcp.outcomes[0]));
});

test('echo cannot reach outside the cluster', { skip }, async () => {
  const r = await cluster.call(pods[0]!, { url: 'http://203.0.113.1/', timeoutMs: 2000 });
  assert.equal(r.outcomes[0]?.ok, false);
  assert.match(r.outcomes[0]?.error?.code ?? '', /ENETUNREACH|EHOSTUNREACH/);
});

test('podHttp reaches the pod loopback', { skip }, async () => {
  const res = await cluster.podHttp(pods[0]!, { port: 7071, path: '/healthz' });
  assert.equal(res.status, 200);
});
