/**
 * @module reference-impl/control-plane/control-plane.test
 * End to end on loopback: manifests in a watched directory → model → delta xDS to a client (Address,
 * Authorization and an L7 type), CA authorizing by real pod placement, admin endpoints.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../core/logger.ts';
import { type L7RouteTable, TYPE_URL_L7_ROUTE_TABLE } from '../api/l7.ts';
import { TYPE_URL_ADDRESS, TYPE_URL_AUTHORIZATION } from '../api/workload.ts';
import { createCaClient } from './client/ca-client.ts';
import { createXdsClient, type XdsClient } from './client/xds-client.ts';
import { startFileSource } from './config/file-source.ts';
import { type ControlPlane, startControlPlane } from './control-plane.ts';

let dir: string;
let cp: ControlPlane;
const write = (name: string, text: string) => {
  writeFileSync(join(dir, `.${name}.tmp`), text);
  renameSync(join(dir, `.${name}.tmp`), join(dir, name));
};
const podYaml = (name: string, node: string, sa: string, ip: string, ready = 'True') => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: demo, labels: { app: echo } }
spec: { nodeName: ${node}, serviceAccountName: ${sa}, containers: [{ name: c, image: echo, ports: [{ name: http, containerPort: 8080 }] }] }
status: { phase: Running, podIP: ${ip}, conditions: [{ type: Ready, status: "${ready}" }] }
`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cp-e2e-'));
  write(
    'Namespace..demo.yaml',
    'apiVersion: v1\nkind: Namespace\nmetadata: { name: demo, labels: { istio.io/dataplane-mode: ambient } }\n',
  );
  write('Pod.demo.echo-a.yaml', podYaml('echo-a', 'node-a', 'echo', '198.18.1.10'));
  write('Pod.demo.echo-b.yaml', podYaml('echo-b', 'node-b', 'other', '198.18.2.10'));
  write(
    'Service.demo.echo.yaml',
    'apiVersion: v1\nkind: Service\nmetadata: { name: echo, namespace: demo }\nspec: { clusterIP: 198.19.0.10, selector: { app: echo }, ports: [{ port: 80, targetPort: http }] }\n',
  );
  cp = await startControlPlane({
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    trustDomain: 'cluster.local',
    nodeTokens: new Map([
      ['tok-a', 'node-a'],
      ['tok-b', 'node-b'],
    ]),
    certTtlSeconds: 3600,
    logger: silentLogger,
    source: async (store) => {
      const s = await startFileSource({ dir, store, logger: silentLogger, rescanMs: 0 });
      return () => s.stop();
    },
  });
});
after(async () => {
  await cp.close();
  rmSync(dir, { recursive: true, force: true });
});

const until = (c: XdsClient, pred: () => boolean, ms = 5000) =>
  new Promise<void>((resolve, reject) => {
    if (pred()) return resolve();
    const t = setTimeout(() => reject(new Error('condition not reached')), ms);
    const f = () => {
      if (pred()) {
        clearTimeout(t);
        c.off('change', f);
        resolve();
      }
    };
    c.on('change', f);
  });

test('manifests flow to a proxy: snapshot, pod update, policy, L7 route, removal', async () => {
  const c = createXdsClient({
    address: `127.0.0.1:${cp.grpcPort}`,
    rootCertPem: cp.rootCertPem,
    token: 'tok-a',
    node: 'ztunnel~node-a',
    typeUrls: [TYPE_URL_ADDRESS, TYPE_URL_AUTHORIZATION, TYPE_URL_L7_ROUTE_TABLE],
  });
  try {
    await c.waitSynced();
    const uid = 'Kubernetes//Pod/demo/echo-a';
    assert.equal(c.workloads.get(uid)?.tunnelProtocol, 'HBONE');
    assert.deepEqual(c.workloads.get(uid)?.services['demo/echo.demo.svc.cluster.local'], [
      { servicePort: 80, targetPort: 8080 },
    ]);
    assert.equal(c.services.size, 1);

    write('Pod.demo.echo-a.yaml', podYaml('echo-a', 'node-a', 'echo', '198.18.1.10', 'False'));
    await until(c, () => c.workloads.get(uid)?.status === 'UNHEALTHY');

    write(
      'AuthorizationPolicy.demo.deny.yaml',
      'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: deny, namespace: demo }\nspec: { action: DENY, rules: [{ from: [{ source: { namespaces: [evil] } }] }] }\n',
    );
    await until(c, () => c.authorizations.get('demo/deny')?.action === 'DENY');

    write(
      'HTTPRoute.demo.echo.yaml',
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: echo, namespace: demo }\nspec: { parentRefs: [{ group: "", kind: Service, name: echo }], rules: [{ backendRefs: [{ name: echo, port: 80 }] }] }\n',
    );
    await until(c, () => c.resources(TYPE_URL_L7_ROUTE_TABLE).has('demo/echo.demo.svc.cluster.local'));
    const rt = c.resources(TYPE_URL_L7_ROUTE_TABLE).get('demo/echo.demo.svc.cluster.local') as L7RouteTable;
    assert.equal(rt.source, 'HTTPRoute');

    // A rejected edit keeps the policy in force.
    write(
      'AuthorizationPolicy.demo.deny.yaml',
      'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: deny, namespace: demo }\nspec: { action: 7 }\n',
    );
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(c.authorizations.get('demo/deny')?.action, 'DENY');

    const { unlinkSync } = await import('node:fs');
    unlinkSync(join(dir, 'Pod.demo.echo-b.yaml'));
    await until(c, () => !c.workloads.has('Kubernetes//Pod/demo/echo-b'));
  } finally {
    c.close();
  }
});

test('CA grants identities of pods on the caller’s node only', async () => {
  const a = createCaClient({
    address: `127.0.0.1:${cp.grpcPort}`,
    rootCertPem: cp.rootCertPem,
    token: 'tok-a',
  });
  try {
    const cert = await a.fetchCertificate('spiffe://cluster.local/ns/demo/sa/echo');
    assert.ok(cert.notAfter.getTime() - Date.now() > 3500_000);
    await assert.rejects(
      a.fetchCertificate('spiffe://cluster.local/ns/demo/sa/other'),
      /node node-a runs no pod/,
    );
  } finally {
    a.close();
  }
});

test('admin endpoints', async () => {
  const base = `http://127.0.0.1:${cp.adminPort}`;
  assert.equal((await fetch(`${base}/ready`)).status, 200);
  const model = (await (await fetch(`${base}/debug/model`)).json()) as { workloads: Record<string, unknown> };
  assert.ok(model.workloads['Kubernetes//Pod/demo/echo-a']);
  const events = (await (await fetch(`${base}/debug/events`)).json()) as { level: string; field?: string }[];
  assert.ok(events.some((e) => e.level === 'rejected' && e.field === 'spec.action'));
  assert.ok(Array.isArray(await (await fetch(`${base}/debug/push-status`)).json()));
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /meshbench_xds_pushes_total/);
  assert.match(metrics, /meshbench_config_rejected_total\{kind="AuthorizationPolicy"\} 1/);
});
