/**
 * @module reference-impl/control-plane/model/workloads.test
 * Table tests: Pod (+ Namespace, Service, waypoint) → Workload.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MeshObject } from '../config/objects.ts';
import { buildModel, translatePods } from './build-model.ts';
import { DEFAULT_MESH_SETTINGS, type ModelInput } from './model-input.ts';
import { ns, pod, service, waypoint } from './test-objects.ts';
import { podUid } from './workloads.ts';

const S = DEFAULT_MESH_SETTINGS;
const uid = (n: string, p: string) => podUid('Kubernetes', n, p);

const cases: { name: string; input: ModelInput; uid: string; expect: Record<string, unknown> | undefined }[] =
  [
    {
      name: 'namespace ambient → HBONE, healthy',
      input: {
        Namespace: [ns('a', { 'istio.io/dataplane-mode': 'ambient' })],
        Pod: [pod('a', 'p', '10.0.0.1')],
      },
      uid: uid('a', 'p'),
      expect: {
        tunnelProtocol: 'HBONE',
        status: 'HEALTHY',
        addresses: ['10.0.0.1'],
        node: 'node-a',
        uid: 'Kubernetes//Pod/a/p',
      },
    },
    {
      name: 'pod label none opts out of an ambient namespace',
      input: {
        Namespace: [ns('a', { 'istio.io/dataplane-mode': 'ambient' })],
        Pod: [pod('a', 'p', '10.0.0.1', { labels: { 'istio.io/dataplane-mode': 'none' } })],
      },
      uid: uid('a', 'p'),
      expect: { tunnelProtocol: 'NONE' },
    },
    {
      name: 'pod label ambient enrols in a plain namespace',
      input: {
        Namespace: [ns('a')],
        Pod: [pod('a', 'p', '10.0.0.1', { labels: { 'istio.io/dataplane-mode': 'ambient' } })],
      },
      uid: uid('a', 'p'),
      expect: { tunnelProtocol: 'HBONE' },
    },
    {
      name: 'not enrolled → NONE',
      input: { Namespace: [ns('a')], Pod: [pod('a', 'p', '10.0.0.1')] },
      uid: uid('a', 'p'),
      expect: { tunnelProtocol: 'NONE', nativeTunnel: undefined },
    },
    {
      name: 'sidecar namespace → HBONE with native tunnel (ztunnel does not capture)',
      input: { Namespace: [ns('s', { 'istio-injection': 'enabled' })], Pod: [pod('s', 'p', '10.0.0.2')] },
      uid: uid('s', 'p'),
      expect: { tunnelProtocol: 'HBONE', nativeTunnel: true },
    },
    {
      name: 'sidecar opt-out by pod label falls back to the namespace ambient label',
      input: {
        Namespace: [ns('s', { 'istio-injection': 'enabled', 'istio.io/dataplane-mode': 'ambient' })],
        Pod: [pod('s', 'p', '10.0.0.2', { labels: { 'sidecar.istio.io/inject': 'false' } })],
      },
      uid: uid('s', 'p'),
      expect: { tunnelProtocol: 'HBONE', nativeTunnel: undefined },
    },
    {
      name: 'host-network pod in an ambient namespace → NONE',
      input: {
        Namespace: [ns('a', { 'istio.io/dataplane-mode': 'ambient' })],
        Pod: [
          { ...pod('a', 'p', '10.0.0.1'), spec: { ...pod('a', 'p', '10.0.0.1').spec, hostNetwork: true } },
        ],
      },
      uid: uid('a', 'p'),
      expect: { tunnelProtocol: 'NONE' },
    },
    {
      name: 'waypoint pod → HBONE, native tunnel, no waypoint of its own',
      input: {
        Namespace: [ns('a', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'wp' })],
        Gateway: [waypoint('a', 'wp', 'all')],
        Pod: [
          pod('a', 'wp-1', '10.0.0.5', {
            labels: {
              'gateway.networking.k8s.io/gateway-name': 'wp',
              'gateway.istio.io/managed': 'istio.io-mesh-controller',
            },
          }),
        ],
      },
      uid: uid('a', 'wp-1'),
      expect: { tunnelProtocol: 'HBONE', nativeTunnel: true, waypoint: undefined },
    },
    {
      name: 'not ready → UNHEALTHY',
      input: { Namespace: [ns('a')], Pod: [pod('a', 'p', '10.0.0.1', { ready: false })] },
      uid: uid('a', 'p'),
      expect: { status: 'UNHEALTHY' },
    },
    {
      name: 'no pod IP yet → no workload',
      input: { Namespace: [ns('a')], Pod: [{ ...pod('a', 'p', ''), status: { phase: 'Pending' } }] },
      uid: uid('a', 'p'),
      expect: undefined,
    },
    {
      name: 'services with a named targetPort resolved from the container port',
      input: {
        Namespace: [ns('a')],
        Pod: [
          pod('a', 'p', '10.0.0.1', {
            labels: { app: 'echo' },
            ports: [{ name: 'http', containerPort: 8080 }],
          }),
        ],
        Service: [
          service('a', 'echo', '10.96.0.1', { app: 'echo' }, [
            { port: 80, targetPort: 'http' },
            { port: 9090, targetPort: 9091 },
            { port: 7070 },
            { port: 81, targetPort: 'missing' },
          ]),
          service('a', 'other', '10.96.0.2', { app: 'nope' }, [{ port: 80 }]),
        ],
      },
      uid: uid('a', 'p'),
      expect: {
        services: {
          'a/echo.a.svc.cluster.local': [
            { servicePort: 80, targetPort: 8080 },
            { servicePort: 9090, targetPort: 9091 },
            { servicePort: 7070, targetPort: 7070 },
          ],
        },
      },
    },
    {
      name: 'namespace use-waypoint with waypoint-for all → workload waypoint',
      input: {
        Namespace: [ns('a', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'wp' })],
        Gateway: [waypoint('a', 'wp', 'all')],
        Pod: [pod('a', 'p', '10.0.0.1')],
      },
      uid: uid('a', 'p'),
      expect: {
        waypoint: {
          destination: { hostname: { namespace: 'a', hostname: 'wp.a.svc.cluster.local' } },
          hboneMtlsPort: 15008,
        },
      },
    },
    {
      name: 'default waypoint-for service → no workload waypoint',
      input: {
        Namespace: [ns('a', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'wp' })],
        Gateway: [waypoint('a', 'wp')],
        Pod: [pod('a', 'p', '10.0.0.1')],
      },
      uid: uid('a', 'p'),
      expect: { waypoint: undefined },
    },
    {
      name: 'pod use-waypoint none overrides the namespace',
      input: {
        Namespace: [ns('a', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'wp' })],
        Gateway: [waypoint('a', 'wp', 'all')],
        Pod: [pod('a', 'p', '10.0.0.1', { labels: { 'istio.io/use-waypoint': 'none' } })],
      },
      uid: uid('a', 'p'),
      expect: { waypoint: undefined },
    },
    {
      name: 'use-waypoint naming a missing waypoint → none',
      input: {
        Namespace: [ns('a', { 'istio.io/dataplane-mode': 'ambient' })],
        Pod: [pod('a', 'p', '10.0.0.1', { labels: { 'istio.io/use-waypoint': 'ghost' } })],
      },
      uid: uid('a', 'p'),
      expect: { waypoint: undefined },
    },
  ];

for (const c of cases) {
  test(`workload: ${c.name}`, () => {
    const w = buildModel(c.input, S).workloads.get(c.uid);
    if (c.expect === undefined) return assert.equal(w, undefined);
    assert.ok(w, 'workload exists');
    for (const [k, v] of Object.entries(c.expect))
      assert.deepEqual((w as unknown as Record<string, unknown>)[k], v, k);
  });
}

test('identities by node feed CA authorization', () => {
  const m = buildModel(
    {
      Namespace: [ns('a')],
      Pod: [
        pod('a', 'p', '10.0.0.1', { sa: 'sa1' }),
        pod('a', 'q', '10.0.0.2', { node: 'node-b', sa: 'sa2' }),
      ],
    },
    S,
  );
  assert.deepEqual([...(m.identitiesByNode.get('node-a') ?? [])], ['a/sa1']);
  assert.deepEqual([...(m.identitiesByNode.get('node-b') ?? [])], ['a/sa2']);
});

test('service: VIP, ports (named targetPort → 0), service-level waypoint beats namespace none', () => {
  const m = buildModel(
    {
      Namespace: [ns('a', { 'istio.io/use-waypoint': 'none' })],
      Gateway: [waypoint('a', 'wp')],
      Service: [
        service('a', 'echo', '10.96.0.1', { app: 'echo' }, [{ port: 80, targetPort: 'http' }], {
          'istio.io/use-waypoint': 'wp',
        }),
        service(
          'a',
          'wp',
          '10.96.0.9',
          { 'gateway.networking.k8s.io/gateway-name': 'wp' },
          [{ port: 15008 }],
          { 'istio.io/use-waypoint': 'wp' },
        ),
      ],
    },
    S,
  );
  const s = m.services.get('a/echo.a.svc.cluster.local');
  assert.deepEqual(s?.addresses, [{ network: '', address: '10.96.0.1' }]);
  assert.deepEqual(s?.ports, [{ servicePort: 80, targetPort: 0 }]);
  assert.equal(
    s?.waypoint && 'hostname' in s.waypoint.destination && s.waypoint.destination.hostname.hostname,
    'wp.a.svc.cluster.local',
  );
  assert.equal(
    m.services.get('a/wp.a.svc.cluster.local')?.waypoint,
    undefined,
    'a waypoint never uses itself',
  );
});

const serviceEntry = (spec: Record<string, unknown>): MeshObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: 'ext', namespace: 'a' },
  spec: {
    hosts: ['ext.example.internal'],
    addresses: ['240.240.0.20'],
    location: 'MESH_INTERNAL',
    ports: [{ number: 8080, name: 'http', protocol: 'HTTP' }],
    ...spec,
  },
});
const SE_KEY = 'a/ext.example.internal';
const seUid = (address: string) => `Kubernetes/networking.istio.io/ServiceEntry/a/ext/${address}`;

const seCases: {
  name: string;
  spec: Record<string, unknown>;
  /** uid → the entry's ports on it (undefined: no such workload / no entry service on it). */
  expect: Record<string, { servicePort: number; targetPort: number }[] | undefined>;
}[] = [
  {
    name: 'STATIC endpoint at a non-pod address → its own workload (tunnel NONE) behind the entry',
    spec: { resolution: 'STATIC', endpoints: [{ address: '198.18.9.9' }] },
    expect: { [seUid('198.18.9.9')]: [{ servicePort: 8080, targetPort: 8080 }] },
  },
  {
    name: 'STATIC endpoint at a pod address → the entry service joins the pod workload, no duplicate',
    spec: { resolution: 'STATIC', endpoints: [{ address: '10.0.0.1' }] },
    expect: { [uid('a', 'p')]: [{ servicePort: 8080, targetPort: 8080 }], [seUid('10.0.0.1')]: undefined },
  },
  {
    name: 'endpoint ports map overrides the target port by port name',
    spec: { resolution: 'STATIC', endpoints: [{ address: '198.18.9.9', ports: { http: 9090 } }] },
    expect: { [seUid('198.18.9.9')]: [{ servicePort: 8080, targetPort: 9090 }] },
  },
  {
    name: 'resolution DNS / NONE and hostname endpoints → no workloads',
    spec: { resolution: 'DNS', endpoints: [{ address: '198.18.9.9' }] },
    expect: { [seUid('198.18.9.9')]: undefined, [uid('a', 'p')]: undefined },
  },
  {
    name: 'a STATIC endpoint that is a DNS name is skipped',
    spec: { resolution: 'STATIC', endpoints: [{ address: 'db.example.internal' }] },
    expect: { [seUid('db.example.internal')]: undefined },
  },
];

for (const c of seCases) {
  test(`ServiceEntry endpoints: ${c.name}`, () => {
    const m = buildModel(
      {
        Namespace: [ns('a', { 'istio.io/dataplane-mode': 'ambient' })],
        Pod: [pod('a', 'p', '10.0.0.1')],
        ServiceEntry: [serviceEntry(c.spec)],
      },
      S,
    );
    for (const [id, ports] of Object.entries(c.expect)) {
      const w = m.workloads.get(id);
      assert.deepEqual(w?.services[SE_KEY], ports, id);
      if (id.includes('ServiceEntry') && w) {
        assert.equal(w.tunnelProtocol, 'NONE');
        assert.deepEqual(w.addresses, [id.split('/').at(-1)]);
      }
    }
    assert.equal(m.workloads.get(uid('a', 'p'))?.tunnelProtocol, 'HBONE', 'the pod keeps its tunnel');
    assert.deepEqual(m.services.get(SE_KEY)?.addresses, [{ network: '', address: '240.240.0.20' }]);
  });
}

test('ServiceEntry endpoints: the incremental pod path keeps the entry service on the pod', () => {
  const p = pod('a', 'p', '10.0.0.1');
  const input: ModelInput = {
    Namespace: [ns('a', { 'istio.io/dataplane-mode': 'ambient' })],
    Pod: [p],
    ServiceEntry: [serviceEntry({ resolution: 'STATIC', endpoints: [{ address: '10.0.0.1' }] })],
  };
  const patch = translatePods(input, S, [{ namespace: 'a', name: 'p', object: p }]);
  assert.deepEqual(patch.get(uid('a', 'p'))?.services[SE_KEY], [{ servicePort: 8080, targetPort: 8080 }]);
});
