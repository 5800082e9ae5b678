/** Table tests for outbound routing: waypoint selection, service endpoints, ejection order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from '../../api/workload.ts';
import { createWorkloadStore } from '../state/workload-store.ts';
import { workload } from '../testing/fixtures.ts';
import { createEndpointHealth } from './endpoint-health.ts';
import { matchTcpRoute, pickWeighted, planRoutes } from './route.ts';

const SVC_KEY = 'ns/svc.ns.svc.cluster.local';
function setup(options: { serviceWaypoint?: boolean; workloadWaypoint?: boolean } = {}) {
  const store = createWorkloadStore();
  const wpGw = { destination: { address: { network: '', address: '10.0.0.100' } }, hboneMtlsPort: 15008 };
  store.upsertWorkload(
    workload({ uid: 'wp', addresses: ['10.0.0.100'], namespace: 'ns', serviceAccount: 'waypoint' }),
  );
  store.upsertWorkload(workload({ uid: 'client', addresses: ['10.0.0.1'], namespace: 'ns' }));
  for (const [uid, ip] of [
    ['e1', '10.0.0.11'],
    ['e2', '10.0.0.12'],
  ] as const) {
    store.upsertWorkload(
      workload({
        uid,
        addresses: [ip],
        namespace: 'ns',
        serviceAccount: 'server',
        services: { [SVC_KEY]: [{ servicePort: 80, targetPort: 8080 }] },
        waypoint: options.workloadWaypoint ? wpGw : undefined,
      }),
    );
  }
  store.upsertWorkload(workload({ uid: 'plain', addresses: ['10.0.0.50'], tunnelProtocol: 'NONE' }));
  const svc: Service = {
    name: 'svc',
    namespace: 'ns',
    hostname: 'svc.ns.svc.cluster.local',
    addresses: [{ network: '', address: '10.96.0.10' }],
    ports: [{ servicePort: 80, targetPort: 8080 }],
    subjectAltNames: [],
    waypoint: options.serviceWaypoint ? wpGw : undefined,
  };
  store.upsertService(svc);
  return store;
}

test('service VIP without waypoint: HBONE to an endpoint podIP:15008, authority podIP:targetPort', () => {
  const store = setup();
  const routes = planRoutes(store, createEndpointHealth(), store.workloadByUid('client'), {
    ip: '10.96.0.10',
    port: 80,
  });
  assert.equal(routes.length, 2);
  for (const r of routes) {
    assert.equal(r.kind, 'hbone');
    if (r.kind !== 'hbone') continue;
    assert.equal(r.address.port, 15008);
    assert.equal(r.authority, `${r.address.ip}:8080`);
    assert.equal(r.destinationIdentity, 'spiffe://cluster.local/ns/ns/sa/server');
    assert.equal(r.viaWaypoint, false);
  }
});

test('service VIP with a waypoint: HBONE to the waypoint, authority stays VIP:port', () => {
  const store = setup({ serviceWaypoint: true });
  const [r] = planRoutes(store, createEndpointHealth(), store.workloadByUid('client'), {
    ip: '10.96.0.10',
    port: 80,
  });
  assert.ok(r && r.kind === 'hbone');
  assert.deepEqual(r.address, { ip: '10.0.0.100', port: 15008 });
  assert.equal(r.authority, '10.96.0.10:80');
  assert.equal(r.destinationIdentity, 'spiffe://cluster.local/ns/ns/sa/waypoint');
});

test('traffic from the waypoint itself goes to the endpoint, not back to the waypoint', () => {
  const store = setup({ serviceWaypoint: true, workloadWaypoint: true });
  const routes = planRoutes(store, createEndpointHealth(), store.workloadByUid('wp'), {
    ip: '10.96.0.10',
    port: 80,
  });
  assert.ok(routes.every((r) => r.kind === 'hbone' && !r.viaWaypoint && r.authority.endsWith(':8080')));
});

test('workload with a waypoint, addressed directly: through its waypoint with authority podIP:port', () => {
  const store = setup({ workloadWaypoint: true });
  const [r] = planRoutes(store, createEndpointHealth(), store.workloadByUid('client'), {
    ip: '10.0.0.11',
    port: 8080,
  });
  assert.ok(r && r.kind === 'hbone' && r.viaWaypoint);
  assert.equal(r.authority, '10.0.0.11:8080');
  assert.equal(r.address.ip, '10.0.0.100');
});

test('uncaptured workload and unknown address: plain TCP passthrough', () => {
  const store = setup();
  const [a] = planRoutes(store, createEndpointHealth(), undefined, { ip: '10.0.0.50', port: 5432 });
  assert.deepEqual(a && a.kind === 'tcp' && a.target, { ip: '10.0.0.50', port: 5432 });
  const [b] = planRoutes(store, createEndpointHealth(), undefined, { ip: '192.0.2.1', port: 443 });
  assert.equal(b?.kind, 'tcp');
});

test('ejected endpoints (outlier detection) are tried last; unhealthy ones never', () => {
  const store = setup();
  const health = createEndpointHealth({ consecutiveFailures: 1, ejectionMs: 60_000 });
  health.failure('10.0.0.11:8080');
  for (let i = 0; i < 20; i++) {
    const routes = planRoutes(store, health, undefined, { ip: '10.96.0.10', port: 80 });
    assert.equal(routes[0]?.target.ip, '10.0.0.12');
    assert.equal(routes[1]?.target.ip, '10.0.0.11');
  }
  store.upsertWorkload({ ...store.workloadByUid('e2')!, status: 'UNHEALTHY' });
  const routes = planRoutes(store, health, undefined, { ip: '10.96.0.10', port: 80 });
  assert.deepEqual(
    routes.map((r) => r.target.ip),
    ['10.0.0.11'],
  );
});

test('load balancing spreads connections over endpoints', () => {
  const store = setup();
  const seen = new Map<string, number>();
  for (let i = 0; i < 400; i++) {
    const ip = planRoutes(store, createEndpointHealth(), undefined, { ip: '10.96.0.10', port: 80 })[0]!.target
      .ip;
    seen.set(ip, (seen.get(ip) ?? 0) + 1);
  }
  assert.equal(seen.size, 2);
  for (const n of seen.values()) assert.ok(n > 120, `uneven spread ${[...seen]}`);
});

test('pickWeighted: probability weight/total, zero weights never picked, all-zero picks nothing', () => {
  const backends = [
    { name: 'a', weight: 0 },
    { name: 'b', weight: 25 },
    { name: 'c', weight: 75 },
  ];
  const counts = { a: 0, b: 0, c: 0 };
  for (let i = 0; i < 100; i++) counts[pickWeighted(backends, () => i / 100)!.name as 'a' | 'b' | 'c']++;
  assert.deepEqual(counts, { a: 0, b: 25, c: 75 });
  assert.equal(pickWeighted(backends, () => 0.999999)?.name, 'c');
  assert.equal(
    pickWeighted([{ weight: 0 }, { weight: 0 }], () => 0.5),
    undefined,
  );
  assert.equal(
    pickWeighted([], () => 0.5),
    undefined,
  );
});

test('matchTcpRoute: first route whose ports include the destination port; no ports = any', () => {
  const r1 = { name: 'r1', ports: [9090], backends: [] };
  const r2 = { name: 'r2', ports: [], backends: [] };
  assert.equal(matchTcpRoute([r1, r2], 9090), r1);
  assert.equal(matchTcpRoute([r1, r2], 80), r2);
  assert.equal(matchTcpRoute([r1], 80), undefined);
});

test('tcp route with subsets: every connection goes to the weighted subset only', () => {
  const store = setup();
  store.upsertTrafficPolicy({
    service: SVC_KEY,
    sources: ['VirtualService ns/shift'],
    routes: [
      {
        name: 'VirtualService/ns/shift#0',
        ports: [80],
        backends: [
          { service: SVC_KEY, subset: 'v1', workloads: ['e1'], weight: 0 },
          { service: SVC_KEY, subset: 'v2', workloads: ['e2'], weight: 100 },
        ],
      },
    ],
  });
  for (let i = 0; i < 20; i++) {
    const routes = planRoutes(
      store,
      createEndpointHealth(),
      store.workloadByUid('client'),
      { ip: '10.96.0.10', port: 80 },
      15008,
      () => i / 20,
    );
    assert.deepEqual(
      routes.map((r) => r.target.ip),
      ['10.0.0.12'],
    );
  }
  // A subset that selects nothing has no route (the connection is refused, as Envoy's "no healthy upstream").
  store.upsertTrafficPolicy({
    service: SVC_KEY,
    sources: [],
    routes: [
      { name: 'x', ports: [], backends: [{ service: SVC_KEY, subset: 'v3', workloads: [], weight: 100 }] },
    ],
  });
  assert.deepEqual(planRoutes(store, createEndpointHealth(), undefined, { ip: '10.96.0.10', port: 80 }), []);
  // Another port is not matched by a port-specific route: plain load balancing over both.
  store.upsertTrafficPolicy({
    service: SVC_KEY,
    sources: [],
    routes: [{ name: 'y', ports: [9090], backends: [{ service: SVC_KEY, workloads: [], weight: 100 }] }],
  });
  assert.equal(
    planRoutes(store, createEndpointHealth(), undefined, { ip: '10.96.0.10', port: 80 }).length,
    2,
  );
});
