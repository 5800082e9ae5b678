/** Original source: `Forwarded: for=` parsing, and trusting it only from the destination's waypoint. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWorkloadStore } from '../state/workload-store.ts';
import { workload } from '../testing/fixtures.ts';
import { forwardedFor, hboneOriginalSource } from './original-source.ts';

test('forwardedFor: quoted ip:port, bare ip, last element wins, junk and IPv6 ignored', () => {
  assert.equal(forwardedFor('for="198.18.0.5:4711"'), '198.18.0.5');
  assert.equal(forwardedFor('for=198.18.0.5;host=echo.demo.svc.cluster.local'), '198.18.0.5');
  assert.equal(forwardedFor('for="198.18.0.1:1", for="198.18.0.2:2"'), '198.18.0.2');
  assert.equal(forwardedFor(['for=198.18.0.1', 'for=198.18.0.3']), '198.18.0.3');
  assert.equal(forwardedFor('host=x;for="not-an-ip"'), undefined);
  assert.equal(forwardedFor('for="[2001:db8::1]:80"'), undefined);
  assert.equal(forwardedFor(undefined), undefined);
});

const store = createWorkloadStore();
store.upsertWorkload(
  workload({ uid: 'wp', addresses: ['198.18.1.9'], namespace: 'demo', serviceAccount: 'waypoint' }),
);
store.upsertWorkload(
  workload({
    uid: 'dst',
    addresses: ['198.18.1.2'],
    namespace: 'demo',
    serviceAccount: 'server',
    waypoint: { destination: { address: { network: '', address: '198.18.1.9' } }, hboneMtlsPort: 15008 },
  }),
);
const dst = store.workloadByUid('dst')!;
const req = (peerIdentity: string) => ({
  headers: { forwarded: 'for="198.18.7.7:5555"' },
  peerIdentity,
  remote: { ip: '198.18.1.9' },
});

test('Forwarded is trusted from the destination waypoint only; any other peer gets its own address', () => {
  assert.equal(
    hboneOriginalSource(store, dst, req('spiffe://cluster.local/ns/demo/sa/waypoint')),
    '198.18.7.7',
  );
  assert.equal(
    hboneOriginalSource(store, dst, req('spiffe://cluster.local/ns/demo/sa/client')),
    '198.18.1.9',
  );
  const noWaypoint = { ...dst, waypoint: undefined };
  assert.equal(
    hboneOriginalSource(store, noWaypoint, req('spiffe://cluster.local/ns/demo/sa/waypoint')),
    '198.18.1.9',
  );
});
