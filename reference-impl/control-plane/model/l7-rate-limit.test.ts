/**
 * @module reference-impl/control-plane/model/l7-rate-limit.test
 * EnvoyFilter `envoy.filters.http.local_ratelimit` → `L7TrafficPolicy.localRateLimit`: by waypoint
 * targetRefs (context GATEWAY) and by sidecar workloadSelector (SIDECAR_INBOUND); the network filter,
 * another Gateway, a non-selecting selector and a 0% enforcement limit nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MeshObject } from '../config/objects.ts';
import { buildModel } from './build-model.ts';
import { DEFAULT_MESH_SETTINGS } from './model-input.ts';
import { ns, pod, service, waypoint } from './test-objects.ts';

const S = DEFAULT_MESH_SETTINGS;
const KEY = 'a/echo.a.svc.cluster.local';
const base = {
  Namespace: [ns('a', { 'istio.io/use-waypoint': 'wp' })],
  Gateway: [waypoint('a', 'wp')],
  Pod: [pod('a', 'echo-1', '10.0.0.1', { labels: { app: 'echo', version: 'v1' } })],
  Service: [service('a', 'echo', '10.96.0.1', { app: 'echo' }, [{ port: 80, targetPort: 8080 }])],
};

function filter(
  scope: Record<string, unknown>,
  patch: { applyTo?: string; context: string; enforced?: number },
) {
  return {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'EnvoyFilter',
    metadata: { name: 'limit', namespace: 'a' },
    spec: {
      ...scope,
      configPatches: [
        {
          applyTo: patch.applyTo ?? 'HTTP_FILTER',
          match: { context: patch.context },
          patch: {
            operation: 'INSERT_BEFORE',
            value: {
              name:
                patch.applyTo === 'NETWORK_FILTER'
                  ? 'envoy.filters.network.local_ratelimit'
                  : 'envoy.filters.http.local_ratelimit',
              typed_config: {
                token_bucket: { max_tokens: 2, tokens_per_fill: 2, fill_interval: '60s' },
                filter_enforced: {
                  default_value: { numerator: patch.enforced ?? 100, denominator: 'HUNDRED' },
                },
              },
            },
          },
        },
      ],
    },
  } as unknown as MeshObject;
}
const toWaypoint = (name: string) => ({
  targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name }],
});
const limitOf = (ef: MeshObject) =>
  buildModel({ ...base, EnvoyFilter: [ef] }, S).l7.trafficPolicies.get(KEY)?.localRateLimit;

test('HTTP local_ratelimit on the waypoint and on selected sidecars', () => {
  const want = { maxTokens: 2, tokensPerFill: 2, fillIntervalMs: 60_000, source: 'a/limit' };
  assert.deepEqual(limitOf(filter(toWaypoint('wp'), { context: 'GATEWAY' })), want);
  assert.deepEqual(
    limitOf(filter({ workloadSelector: { labels: { app: 'echo' } } }, { context: 'SIDECAR_INBOUND' })),
    want,
  );
  const tp = buildModel(
    { ...base, EnvoyFilter: [filter(toWaypoint('wp'), { context: 'GATEWAY' })] },
    S,
  ).l7.trafficPolicies.get(KEY);
  assert.deepEqual([tp?.source, tp?.subsets], ['a/limit', []]);
});

test('what limits nothing', () => {
  assert.equal(limitOf(filter(toWaypoint('other'), { context: 'GATEWAY' })), undefined);
  assert.equal(limitOf(filter(toWaypoint('wp'), { context: 'SIDECAR_INBOUND' })), undefined);
  assert.equal(
    limitOf(filter({ workloadSelector: { labels: { app: 'nope' } } }, { context: 'SIDECAR_INBOUND' })),
    undefined,
  );
  assert.equal(limitOf(filter(toWaypoint('wp'), { context: 'GATEWAY', enforced: 0 })), undefined);
  assert.equal(
    limitOf(filter(toWaypoint('wp'), { context: 'GATEWAY', applyTo: 'NETWORK_FILTER' })),
    undefined,
  );
});
