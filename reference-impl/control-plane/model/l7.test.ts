/**
 * @module reference-impl/control-plane/model/l7.test
 * Table tests: VirtualService, HTTPRoute, GRPCRoute, DestinationRule, RequestAuthentication,
 * L7 AuthorizationPolicy and Telemetry → the per-service L7 resources.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MeshObject } from '../config/objects.ts';
import { buildModel } from './build-model.ts';
import { durationMs, hostToServiceKey } from './l7-routes.ts';
import { DEFAULT_MESH_SETTINGS } from './model-input.ts';
import { ns, pod, policy, service, waypoint } from './test-objects.ts';

const S = DEFAULT_MESH_SETTINGS;
const obj = (apiVersion: string, kind: string, namespace: string, name: string, spec: unknown): MeshObject =>
  ({ apiVersion, kind, metadata: { name, namespace }, spec }) as MeshObject;
const KEY = 'a/echo.a.svc.cluster.local';
const base = {
  Namespace: [ns('a', { 'istio.io/use-waypoint': 'wp' })],
  Gateway: [waypoint('a', 'wp')],
  Pod: [pod('a', 'echo-1', '10.0.0.1', { labels: { app: 'echo', version: 'v1' } })],
  Service: [service('a', 'echo', '10.96.0.1', { app: 'echo' }, [{ port: 80, targetPort: 8080 }])],
};

test('durations and hosts', () => {
  assert.deepEqual(['1s', '250ms', '1.5s', '2m', 'x'].map(durationMs), [1000, 250, 1500, 120000, undefined]);
  assert.equal(hostToServiceKey('echo', 'a', S), KEY);
  assert.equal(hostToServiceKey('echo.b', 'a', S), 'b/echo.b.svc.cluster.local');
  assert.equal(hostToServiceKey('echo.b.svc.cluster.local', 'a', S), 'b/echo.b.svc.cluster.local');
  assert.equal(hostToServiceKey('api.example.com', 'a', S), 'a/api.example.com');
});

test('VirtualService: match, weights, headers, rewrite, retries, timeout, fault, mirror', () => {
  const vs = obj('networking.istio.io/v1', 'VirtualService', 'a', 'vs', {
    hosts: ['echo'],
    http: [
      {
        name: 'canary',
        match: [{ uri: { prefix: '/api' }, headers: { 'X-User': { exact: 'tester' } } }],
        route: [
          { destination: { host: 'echo', subset: 'v2' }, weight: 90 },
          {
            destination: { host: 'echo', subset: 'v1' },
            weight: 10,
            headers: { request: { set: { 'x-sub': 'v1' } } },
          },
        ],
        rewrite: { uri: '/v2/api' },
        retries: { attempts: 3, perTryTimeout: '2s', retryOn: '5xx,reset' },
        timeout: '5s',
        fault: {
          delay: { fixedDelay: '100ms', percentage: { value: 50 } },
          abort: { httpStatus: 503, percentage: { value: 10 } },
        },
        mirror: { host: 'shadow' },
        mirrorPercentage: { value: 25 },
      },
      { redirect: { uri: '/moved', redirectCode: 308 } },
    ],
  });
  const table = buildModel({ ...base, VirtualService: [vs] }, S).l7.routeTables.get(KEY);
  assert.equal(table?.source, 'VirtualService');
  const [r0, r1] = table!.routes;
  assert.deepEqual(r0!.matches, [{ path: { prefix: '/api' }, headers: { 'x-user': { exact: 'tester' } } }]);
  assert.deepEqual(
    r0!.backends.map((b) => [b.subset, b.weight]),
    [
      ['v2', 90],
      ['v1', 10],
    ],
  );
  assert.deepEqual(r0!.backends[1]!.requestHeaders?.set, { 'x-sub': 'v1' });
  assert.equal(r0!.rewrite?.prefix, '/v2/api');
  assert.deepEqual(r0!.retries, { attempts: 3, perTryTimeoutMs: 2000, retryOn: ['5xx', 'reset'] });
  assert.equal(r0!.timeoutMs, 5000);
  assert.deepEqual(r0!.fault?.delay, { fixedDelayMs: 100, percentage: 50 });
  assert.equal(r0!.fault?.abort?.httpStatus, 503);
  assert.deepEqual(r0!.mirrors, [
    { service: 'a/shadow.a.svc.cluster.local', port: undefined, percentage: 25 },
  ]);
  assert.deepEqual(r1!.redirect, {
    host: undefined,
    path: '/moved',
    scheme: undefined,
    port: undefined,
    statusCode: 308,
  });
});

test('HTTPRoute (GAMMA, parentRef Service) wins over VirtualService; filters translated', () => {
  const hr = obj('gateway.networking.k8s.io/v1', 'HTTPRoute', 'a', 'hr', {
    parentRefs: [{ group: '', kind: 'Service', name: 'echo', port: 80 }],
    rules: [
      {
        matches: [
          {
            path: { type: 'PathPrefix', value: '/v2' },
            headers: [{ name: 'X-Env', value: 'canary' }],
            method: 'GET',
          },
        ],
        filters: [
          {
            type: 'RequestHeaderModifier',
            requestHeaderModifier: { set: [{ name: 'X-A', value: '1' }], remove: ['x-b'] },
          },
          {
            type: 'URLRewrite',
            urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } },
          },
        ],
        backendRefs: [
          { name: 'echo-v2', port: 80, weight: 3 },
          { name: 'echo', port: 80, weight: 1 },
        ],
        timeouts: { request: '1s' },
      },
      { filters: [{ type: 'RequestRedirect', requestRedirect: { hostname: 'x.example', statusCode: 301 } }] },
    ],
  });
  const vs = obj('networking.istio.io/v1', 'VirtualService', 'a', 'vs', {
    hosts: ['echo'],
    http: [{ route: [{ destination: { host: 'echo' } }] }],
  });
  const table = buildModel({ ...base, HTTPRoute: [hr], VirtualService: [vs] }, S).l7.routeTables.get(KEY);
  assert.equal(table?.source, 'HTTPRoute');
  assert.equal(table?.routes.length, 2);
  const r = table!.routes[0]!;
  assert.deepEqual(r.matches, [
    { path: { prefix: '/v2' }, method: 'GET', headers: { 'x-env': { exact: 'canary' } } },
  ]);
  assert.deepEqual(r.requestHeaders, { set: { 'x-a': '1' }, add: undefined, remove: ['x-b'] });
  assert.equal(r.rewrite?.prefix, '/');
  assert.deepEqual(
    r.backends.map((b) => [b.service, b.weight]),
    [
      ['a/echo-v2.a.svc.cluster.local', 3],
      [KEY, 1],
    ],
  );
  assert.equal(r.timeoutMs, 1000);
  assert.equal(table!.routes[1]!.redirect?.host, 'x.example');
});

test('GRPCRoute: method match', () => {
  const gr = obj('gateway.networking.k8s.io/v1', 'GRPCRoute', 'a', 'gr', {
    parentRefs: [{ kind: 'Service', name: 'echo' }],
    rules: [
      {
        matches: [{ method: { service: 'proto.Echo', method: 'Echo' } }],
        backendRefs: [{ name: 'echo', port: 7070 }],
      },
    ],
  });
  const table = buildModel({ ...base, GRPCRoute: [gr] }, S).l7.routeTables.get(KEY);
  assert.equal(table?.source, 'GRPCRoute');
  assert.deepEqual(table?.routes[0]?.matches, [{ grpc: { service: 'proto.Echo', method: 'Echo' } }]);
});

test('DestinationRule: pool, outlier detection, LB, TLS, subsets', () => {
  const dr = obj('networking.istio.io/v1', 'DestinationRule', 'a', 'dr', {
    host: 'echo',
    trafficPolicy: {
      connectionPool: {
        tcp: { maxConnections: 1 },
        http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 },
      },
      outlierDetection: {
        consecutive5xxErrors: 1,
        interval: '1s',
        baseEjectionTime: '3m',
        maxEjectionPercent: 100,
      },
      loadBalancer: { simple: 'LEAST_REQUEST' },
      tls: { mode: 'ISTIO_MUTUAL' },
    },
    subsets: [{ name: 'v1', labels: { version: 'v1' } }],
  });
  const tp = buildModel({ ...base, DestinationRule: [dr] }, S).l7.trafficPolicies.get(KEY);
  assert.equal(tp?.connectionPool?.tcp?.maxConnections, 1);
  assert.equal(tp?.connectionPool?.http?.http1MaxPendingRequests, 1);
  assert.deepEqual(tp?.outlierDetection, {
    consecutive5xxErrors: 1,
    consecutiveGatewayErrors: undefined,
    intervalMs: 1000,
    baseEjectionTimeMs: 180000,
    maxEjectionPercent: 100,
  });
  assert.deepEqual(tp?.loadBalancer, { simple: 'LEAST_REQUEST' });
  assert.equal(tp?.tls?.mode, 'ISTIO_MUTUAL');
  assert.deepEqual(tp?.subsets, [{ name: 'v1', labels: { version: 'v1' } }]);
});

test('RequestAuthentication + waypoint-targeted L7 AuthorizationPolicy → Security; Telemetry', () => {
  const ra = obj('security.istio.io/v1', 'RequestAuthentication', 'a', 'jwt', {
    targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'wp' }],
    jwtRules: [{ issuer: 'issuer-1', jwksUri: 'http://jwks/keys' }],
  });
  const ap = policy('a', 'get-only', {
    targetRefs: [{ kind: 'Service', group: '', name: 'echo' }],
    rules: [
      {
        to: [{ operation: { methods: ['GET'], paths: ['/api/*'] } }],
        from: [{ source: { requestPrincipals: ['issuer-1/*'] } }],
      },
    ],
  });
  const tel = obj('telemetry.istio.io/v1', 'Telemetry', 'istio-system', 'mesh-default', {
    tracing: [{ randomSamplingPercentage: 10, providers: [{ name: 'otel' }] }],
    accessLogging: [{ providers: [{ name: 'envoy' }] }],
  });
  const m = buildModel(
    { ...base, RequestAuthentication: [ra], AuthorizationPolicy: [ap], Telemetry: [tel] },
    S,
  );
  const sec = m.l7.security.get(KEY);
  assert.equal(sec?.jwtRules[0]?.issuer, 'issuer-1');
  assert.deepEqual(sec?.jwtRules[0]?.fromHeaders, [{ name: 'authorization', prefix: 'Bearer ' }]);
  assert.deepEqual(sec?.authorizationPolicies[0]?.rules[0]?.to[0]?.methods, ['GET']);
  assert.equal(m.authorizations.size, 0, 'targetRefs policies are not sent to ztunnel');
  const t = m.l7.telemetry.get(KEY);
  assert.equal(t?.tracing?.randomSamplingPercentage, 10);
  assert.deepEqual(t?.accessLogging, { disabled: false, providers: ['envoy'], filter: undefined });
});
