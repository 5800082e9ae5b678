/**
 * @module clusters/local/daemon/waypoint-controller.test
 * The waypoint controller's plan (pure): objects for a waypoint Gateway, nothing re-applied when
 * stored objects match, status Programmed only with a ready replica and an address, owned objects
 * of a deleted Gateway removed, other Gateway classes ignored.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject, ObjectRef } from '../../cluster.ts';
import { GATEWAY_NAME_LABEL, reconcileWaypoints, waypointObjects } from './waypoint-controller.ts';

const gw = (name: string, cls = 'istio-waypoint'): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: 'ns', generation: 1 },
  spec: { gatewayClassName: cls, listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
});
const CMD = ['node', 'waypoint/main.ts'];
const store = (objs: KubeObject[]) => (ref: ObjectRef) =>
  objs.find(
    (o) => o.kind === ref.kind && o.metadata.name === ref.name && o.metadata.namespace === ref.namespace,
  );

test('a waypoint Gateway gets a ServiceAccount, Deployment and Service named after it', () => {
  const plan = reconcileWaypoints([gw('waypoint'), gw('ingress', 'istio')], [], store([]), CMD);
  assert.deepEqual(
    plan.apply.map((o) => `${o.kind}/${o.metadata.name}`),
    ['ServiceAccount/waypoint', 'Deployment/waypoint', 'Service/waypoint'],
  );
  const dep = plan.apply[1]!;
  const tmpl = (
    dep.spec as { template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> } }
  ).template;
  assert.equal(tmpl.metadata.labels[GATEWAY_NAME_LABEL], 'waypoint');
  assert.equal(tmpl.metadata.labels['istio.io/dataplane-mode'], 'none');
  assert.equal(tmpl.spec.serviceAccountName, 'waypoint');
  assert.deepEqual((tmpl.spec.containers as { command: string[] }[])[0]!.command, CMD);
  const svc = plan.apply[2]!;
  assert.ok((svc.spec as { ports: { port: number }[] }).ports.some((p) => p.port === 15008));
  assert.equal(plan.status[0]?.name, 'waypoint');
  const programmed = (plan.status[0]!.status.conditions as { type: string; status: string }[]).find(
    (c) => c.type === 'Programmed',
  );
  assert.equal(programmed?.status, 'False');
});

test('stored objects that match are not re-applied; Programmed once a replica is ready', () => {
  const objs = waypointObjects(gw('waypoint'), CMD).map((o) => structuredClone(o));
  for (const o of objs) o.metadata.namespace = 'ns';
  const svc = objs.find((o) => o.kind === 'Service')!;
  (svc.spec as { clusterIP?: string }).clusterIP = '198.19.1.9';
  const dep = objs.find((o) => o.kind === 'Deployment')!;
  dep.status = { readyReplicas: 1 };
  const plan = reconcileWaypoints([gw('waypoint')], objs, store(objs), CMD);
  assert.deepEqual(plan.apply, []);
  const st = plan.status[0]!.status;
  assert.deepEqual(st.addresses, [{ type: 'IPAddress', value: '198.19.1.9' }]);
  assert.equal(
    (st.conditions as { type: string; status: string }[]).find((c) => c.type === 'Programmed')?.status,
    'True',
  );
  // The same status again: no update.
  const again = reconcileWaypoints([{ ...gw('waypoint'), status: st }], objs, store(objs), CMD);
  assert.deepEqual(again.status, []);
});

test('objects of a deleted Gateway are deleted', () => {
  const objs = waypointObjects(gw('gone'), CMD);
  const plan = reconcileWaypoints([], objs, store(objs), CMD);
  assert.deepEqual(
    plan.delete.map((r) => `${r.kind}/${r.name}`),
    ['ServiceAccount/gone', 'Deployment/gone', 'Service/gone'],
  );
});
