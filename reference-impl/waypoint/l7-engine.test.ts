/**
 * @module reference-impl/waypoint/l7-engine.test
 * The decision table: authz deny before routing, fault abort/delay by percentage, redirect, direct
 * response, no-route, forward plan with weights, rewrites, header edits, timeout, retries, mirrors;
 * no route table forwards to the service itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { L7Route } from '../api/l7.ts';
import { decide, type ServiceL7 } from './l7-engine.ts';
import type { L7Request } from './l7-request.ts';

const SVC = 'ns/echo.ns.svc.cluster.local';
const req = (over: Partial<L7Request> = {}): L7Request => ({
  method: 'GET',
  path: '/v1/items?x=1',
  authority: 'echo.ns.svc.cluster.local',
  headers: { 'x-user': 'alice' },
  port: 80,
  source: { principal: 'cluster.local/ns/client/sa/default', namespace: 'client' },
  ...over,
});
const table = (...routes: L7Route[]): ServiceL7 => ({
  routeTable: { service: SVC, source: 'VirtualService', routes },
});
const r = (over: Partial<L7Route>): L7Route => ({
  name: 'r',
  matches: [],
  backends: [{ service: SVC, weight: 100 }],
  ...over,
});

test('no L7 config: forward to the service itself, unchanged', () => {
  const d = decide(req(), SVC, {});
  assert.equal(d.kind, 'forward');
  if (d.kind !== 'forward') return;
  assert.deepEqual(d.backend, { service: SVC, port: 80, weight: 1 });
  assert.equal(d.path, '/v1/items?x=1');
  assert.equal(d.authority, 'echo.ns.svc.cluster.local');
  assert.deepEqual(d.headers, { 'x-user': 'alice' });
  assert.equal(d.timeoutMs, undefined);
});

test('authorization denies with 403 before any route applies', () => {
  const l7: ServiceL7 = {
    ...table(r({ fault: { abort: { httpStatus: 418, percentage: 100 } } })),
    security: {
      service: SVC,
      jwtRules: [],
      requestAuthentications: [],
      authorizationPolicies: [
        {
          name: 'ns/deny',
          action: 'DENY',
          dryRun: false,
          rules: [{ from: [], to: [], when: [] }],
        },
      ],
    },
  };
  const d = decide(req(), SVC, l7);
  assert.equal(d.kind, 'respond');
  if (d.kind === 'respond') {
    assert.equal(d.status, 403);
    assert.equal(d.reason, 'authz-denied');
  }
});

test('fault abort and delay follow their percentage', () => {
  const l7 = table(
    r({
      fault: { abort: { httpStatus: 418, percentage: 50 }, delay: { fixedDelayMs: 200, percentage: 100 } },
    }),
  );
  const hit = decide(req(), SVC, l7, () => 0.1);
  assert.deepEqual([hit.kind, hit.kind === 'respond' && hit.status, hit.delayMs], ['respond', 418, 200]);
  const miss = decide(req(), SVC, l7, () => 0.9);
  assert.equal(miss.kind, 'forward');
  assert.equal(miss.delayMs, 200);
});

test('redirect, direct response, no route', () => {
  const redirect = decide(req(), SVC, table(r({ redirect: { path: '/new', statusCode: 301 } })));
  assert.deepEqual(redirect.kind === 'respond' && [redirect.status, redirect.headers.location], [
    301,
    'http://echo.ns.svc.cluster.local/new',
  ]);
  const direct = decide(req(), SVC, table(r({ directResponse: { status: 503, body: 'down' } })));
  assert.deepEqual(direct.kind === 'respond' && [direct.status, direct.body], [503, 'down']);
  const none = decide(req(), SVC, table(r({ matches: [{ path: { exact: '/nope' } }] })));
  assert.deepEqual(none.kind === 'respond' && [none.status, none.reason], [404, 'no-route']);
});

test('forward plan: weights, rewrite, headers, timeout, retries, mirrors', () => {
  const route = r({
    name: 'split',
    matches: [{ path: { prefix: '/v1' } }],
    backends: [
      { service: 'ns/v1', weight: 80, requestHeaders: { set: { 'x-backend': 'v1' } } },
      { service: 'ns/v2', weight: 20, responseHeaders: { add: { 'x-v': '2' } } },
    ],
    rewrite: { prefix: '/v2', host: 'rewritten' },
    requestHeaders: { set: { 'x-route': 'yes' }, remove: ['x-user'] },
    timeoutMs: 500,
    retries: { attempts: 3, retryOn: ['5xx'] },
    mirrors: [
      { service: 'ns/shadow', percentage: 100 },
      { service: 'ns/never', percentage: 0 },
    ],
  });
  const a = decide(req(), SVC, table(route), () => 0.5);
  assert.equal(a.kind, 'forward');
  if (a.kind !== 'forward') return;
  assert.equal(a.backend.service, 'ns/v1');
  assert.equal(a.path, '/v2/items?x=1');
  assert.equal(a.authority, 'rewritten');
  assert.deepEqual(a.headers, { 'x-route': 'yes', 'x-backend': 'v1' });
  assert.equal(a.timeoutMs, 500);
  assert.deepEqual(a.retries, { attempts: 3, retryOn: ['5xx'] });
  assert.deepEqual(a.mirrors, [{ service: 'ns/shadow', percentage: 100 }]);
  const b = decide(req(), SVC, table(route), () => 0.95);
  assert.equal(b.kind === 'forward' && b.backend.service, 'ns/v2');
  assert.deepEqual(b.kind === 'forward' && b.responseHeaders, [{ add: { 'x-v': '2' } }]);
});
