/** @module clusters/local/daemon/store.test */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../cluster.ts';
import { ObjectStore } from './store.ts';

const svc = (labels: Record<string, string>, port: number): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'd', labels },
  spec: { ports: [{ port }] },
});

test('put: an update that changes nothing notifies no one and keeps the resourceVersion', () => {
  const store = new ObjectStore();
  const changes: string[] = [];
  store.onChange = (key) => changes.push(key);
  const first = store.put(svc({ app: 'web' }, 80));
  const again = store.put(svc({ app: 'web' }, 80));
  assert.deepEqual(changes, ['Service/d/web']);
  assert.equal(again.metadata.resourceVersion, first.metadata.resourceVersion);

  const relabelled = store.put(svc({ app: 'web2' }, 80));
  assert.equal(changes.length, 2);
  assert.notEqual(relabelled.metadata.resourceVersion, first.metadata.resourceVersion);
  assert.equal(relabelled.metadata.generation, 1);

  const respec = store.put(svc({ app: 'web2' }, 81));
  assert.equal(changes.length, 3);
  assert.equal(respec.metadata.generation, 2);
});
