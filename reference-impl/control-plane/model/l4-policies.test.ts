/** Table tests: DestinationRule / VirtualService tcp / EnvoyFilter → per-service L4 traffic policy. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../../core/logger.ts';
import { createConfigStore } from '../config/config-store.ts';
import { createEventLog } from '../config/event-log.ts';
import type { MeshObject } from '../config/objects.ts';
import { validateObject } from '../config/validate.ts';
import { buildModel } from './build-model.ts';
import { DEFAULT_MESH_SETTINGS, type ModelInput } from './model-input.ts';
import { ns, pod, service } from './test-objects.ts';

const S = DEFAULT_MESH_SETTINGS;
const HOST = 'echo.app.svc.cluster.local';
const KEY = `app/${HOST}`;

const obj = (kind: string, apiVersion: string, name: string, spec: Record<string, unknown>): MeshObject =>
  validateObject({ apiVersion, kind, metadata: { name, namespace: 'app' }, spec }).object;

const dr = (name: string, spec: Record<string, unknown>) =>
  obj('DestinationRule', 'networking.istio.io/v1', name, { host: HOST, ...spec });

function base(extra: Partial<ModelInput> = {}): ModelInput {
  return {
    Namespace: [ns('app', { 'istio.io/dataplane-mode': 'ambient' })],
    Pod: [
      pod('app', 'echo-v1', '198.18.1.2', { labels: { app: 'echo', version: 'v1' } }),
      pod('app', 'echo-v2', '198.18.1.3', { labels: { app: 'echo', version: 'v2' } }),
      pod('app', 'other', '198.18.1.4', { labels: { app: 'other' } }),
    ],
    Service: [
      service('app', 'echo', '198.19.0.10', { app: 'echo' }, [{ port: 9090, name: 'tcp' }]),
      service('app', 'other', '198.19.0.11', { app: 'other' }, [{ port: 9090, name: 'tcp' }]),
    ],
    ...extra,
  };
}

const uid = (name: string) => `${S.clusterId}//Pod/app/${name}`;

test('DestinationRule connectionPool.tcp → connect timeout and max connections of its host', () => {
  const m = buildModel(
    base({
      DestinationRule: [
        dr('pool', {
          trafficPolicy: { connectionPool: { tcp: { connectTimeout: '200ms', maxConnections: 1 } } },
        }),
      ],
    }),
    S,
  );
  assert.deepEqual(m.l4.get(KEY), {
    service: KEY,
    sources: ['DestinationRule app/pool'],
    connectTimeoutMs: 200,
    maxConnections: 1,
    routes: [],
  });
  assert.equal(m.l4.size, 1, 'no policy for services nothing configures');
});

test('VirtualService tcp route over subsets → weighted backends with the subset workloads', () => {
  const m = buildModel(
    base({
      DestinationRule: [
        dr('echo', {
          subsets: [
            { name: 'v1', labels: { version: 'v1' } },
            { name: 'v2', labels: { version: 'v2' } },
          ],
        }),
      ],
      VirtualService: [
        obj('VirtualService', 'networking.istio.io/v1', 'shift', {
          hosts: [HOST],
          tcp: [
            {
              match: [{ port: 9090 }],
              route: [
                { destination: { host: HOST, subset: 'v1', port: { number: 9090 } }, weight: 20 },
                { destination: { host: HOST, subset: 'v2', port: { number: 9090 } }, weight: 80 },
              ],
            },
          ],
        }),
      ],
    }),
    S,
  );
  const p = m.l4.get(KEY)!;
  assert.deepEqual(p.sources, ['VirtualService app/shift']);
  assert.deepEqual(p.routes, [
    {
      name: 'VirtualService/app/shift#0',
      ports: [9090],
      backends: [
        { service: KEY, port: 9090, subset: 'v1', workloads: [uid('echo-v1')], weight: 20 },
        { service: KEY, port: 9090, subset: 'v2', workloads: [uid('echo-v2')], weight: 80 },
      ],
    },
  ]);
  assert.ok(m.workloads.has(uid('echo-v2')));
});

test('a route to an undefined subset selects nothing and says so', () => {
  const m = buildModel(
    base({
      VirtualService: [
        obj('VirtualService', 'networking.istio.io/v1', 'shift', {
          hosts: ['echo'],
          tcp: [{ route: [{ destination: { host: 'echo', subset: 'v9' } }] }],
        }),
      ],
    }),
    S,
  );
  assert.deepEqual(m.l4.get(KEY)?.routes[0]?.backends, [
    { service: KEY, subset: 'v9', workloads: [], weight: 100 },
  ]);
  assert.ok(m.warnings.some((w) => w.includes('subset "v9"') && w.includes('VirtualService app/shift')));
});

const rateLimit = (selector: Record<string, string> | undefined, bucket: Record<string, unknown>) =>
  obj('EnvoyFilter', 'networking.istio.io/v1alpha3', 'limit', {
    ...(selector ? { workloadSelector: { labels: selector } } : {}),
    configPatches: [
      {
        applyTo: 'NETWORK_FILTER',
        match: { context: 'SIDECAR_INBOUND' },
        patch: {
          operation: 'INSERT_BEFORE',
          value: {
            name: 'envoy.filters.network.local_ratelimit',
            typed_config: {
              '@type':
                'type.googleapis.com/envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit',
              stat_prefix: 'x',
              token_bucket: bucket,
            },
          },
        },
      },
    ],
  });

test('EnvoyFilter local_ratelimit → token bucket on the services of the selected workloads only', () => {
  const m = buildModel(
    base({
      EnvoyFilter: [rateLimit({ app: 'echo' }, { max_tokens: 2, tokens_per_fill: 2, fill_interval: '60s' })],
    }),
    S,
  );
  assert.deepEqual(m.l4.get(KEY)?.connectionRateLimit, {
    maxTokens: 2,
    tokensPerFill: 2,
    fillIntervalMs: 60_000,
  });
  assert.deepEqual(m.l4.get(KEY)?.sources, ['EnvoyFilter app/limit']);
  assert.equal(m.l4.get('app/other.app.svc.cluster.local'), undefined);
  const all = buildModel(
    base({ EnvoyFilter: [rateLimit(undefined, { max_tokens: 5, fill_interval: '1s' })] }),
    S,
  );
  assert.deepEqual(all.l4.get('app/other.app.svc.cluster.local')?.connectionRateLimit, {
    maxTokens: 5,
    tokensPerFill: 1,
    fillIntervalMs: 1000,
  });
});

test('validation names the object and field of a bad L4 setting', () => {
  const bad: [MeshObject | Record<string, unknown>, string][] = [
    [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: 'd', namespace: 'app' },
        spec: { host: HOST, trafficPolicy: { connectionPool: { tcp: { connectTimeout: 'soon' } } } },
      },
      'spec.trafficPolicy.connectionPool.tcp.connectTimeout',
    ],
    [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: 'd', namespace: 'app' },
        spec: { host: HOST, trafficPolicy: { connectionPool: { tcp: { maxConnections: 0 } } } },
      },
      'spec.trafficPolicy.connectionPool.tcp.maxConnections',
    ],
    [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'v', namespace: 'app' },
        spec: {
          hosts: [HOST],
          tcp: [
            {
              route: [
                { destination: { host: HOST, subset: 'a' }, weight: 30 },
                { destination: { host: HOST, subset: 'b' }, weight: 30 },
              ],
            },
          ],
        },
      },
      'spec.tcp[0].route',
    ],
  ];
  for (const [raw, field] of bad) {
    assert.throws(
      () => validateObject(raw),
      (err: Error & { details?: { field?: string; object?: string } }) =>
        err.details?.field === field && /app\/(d|v)/.test(String(err.details?.object)),
      field,
    );
  }
  const ef = (bucket: Record<string, unknown>) => () =>
    validateObject({
      ...rateLimit({ app: 'echo' }, bucket),
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'EnvoyFilter',
    });
  assert.throws(ef({ tokens_per_fill: 2, fill_interval: '60s' }), /max_tokens|at least 1/);
  assert.throws(ef({ max_tokens: 2, fill_interval: '10ms' }), /at least 50ms/);
  assert.doesNotThrow(ef({ max_tokens: 2, tokens_per_fill: 2, fill_interval: '60s' }));
});

test('a bad update is rejected with its field and the last good connect timeout stays in force', () => {
  const events = createEventLog();
  const store = createConfigStore({ logger: silentLogger, events });
  const good = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'pool', namespace: 'app' },
    spec: { host: HOST, trafficPolicy: { connectionPool: { tcp: { connectTimeout: '200ms' } } } },
  };
  assert.equal(store.apply(good).ok, true);
  const bad = structuredClone(good);
  bad.spec.trafficPolicy.connectionPool.tcp.connectTimeout = '-5s';
  const r = store.apply(bad);
  assert.equal(r.ok, false);
  const rejected = events.list().find((e) => e.level === 'rejected');
  assert.equal(rejected?.object, 'DestinationRule app/pool');
  assert.equal(rejected?.field, 'spec.trafficPolicy.connectionPool.tcp.connectTimeout');
  const input: ModelInput = { ...base(), DestinationRule: store.list('DestinationRule') as MeshObject[] };
  assert.equal(buildModel(input, S).l4.get(KEY)?.connectTimeoutMs, 200);
});
