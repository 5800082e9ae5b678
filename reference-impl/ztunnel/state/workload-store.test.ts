/**
 * @module reference-impl/ztunnel/state/workload-store.test
 * The by-service index behind `endpointsOf` (read on every new connection to a VIP) follows
 * upserts that change a workload's services, and removals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service } from '../../api/workload.ts';
import { workload } from '../testing/fixtures.ts';
import { createWorkloadStore } from './workload-store.ts';

const svc = (hostname: string): Service =>
  ({
    name: hostname.split('.')[0]!,
    namespace: 'ns',
    hostname,
    addresses: [],
    ports: [],
  }) as unknown as Service;

describe('workload store endpointsOf', () => {
  it('follows upserts that move a workload between services, and removals', () => {
    const store = createWorkloadStore();
    const a = svc('a.ns.svc.cluster.local');
    const b = svc('b.ns.svc.cluster.local');
    const port = { 'ns/a.ns.svc.cluster.local': { ports: [] } };
    store.upsertWorkload(workload({ uid: 'w1', addresses: ['198.18.0.1'], services: port as never }));
    store.upsertWorkload(workload({ uid: 'w2', addresses: ['198.18.0.2'], services: port as never }));
    assert.deepEqual(
      store
        .endpointsOf(a)
        .map((w) => w.uid)
        .sort(),
      ['w1', 'w2'],
    );
    store.upsertWorkload(
      workload({
        uid: 'w2',
        addresses: ['198.18.0.2'],
        services: { 'ns/b.ns.svc.cluster.local': { ports: [] } } as never,
      }),
    );
    assert.deepEqual(
      store.endpointsOf(a).map((w) => w.uid),
      ['w1'],
    );
    assert.deepEqual(
      store.endpointsOf(b).map((w) => w.uid),
      ['w2'],
    );
    store.removeWorkload('w1');
    assert.deepEqual(store.endpointsOf(a), []);
    assert.equal(store.workloadByIp('198.18.0.1'), undefined);
  });
});
