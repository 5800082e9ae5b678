/**
 * @module reference-impl/waypoint/route-match.test
 * Table tests of route selection: string matchers, every match part, first-route-wins, catch-all,
 * weighted choice.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { L7Route, L7RouteMatch, L7StringMatch } from '../api/l7.ts';
import type { L7Request } from './l7-request.ts';
import { pickWeighted, requestMatches, selectRoute, stringMatches } from './route-match.ts';

const req = (over: Partial<L7Request> = {}): L7Request => ({
  method: 'GET',
  path: '/api/v1/items?color=red&size=2',
  authority: 'echo.ns.svc.cluster.local:80',
  headers: { 'x-user': 'alice', 'content-type': 'text/plain' },
  port: 80,
  source: {},
  ...over,
});

test('string matchers', () => {
  const rows: [L7StringMatch, string | undefined, boolean][] = [
    [{ exact: '/a' }, '/a', true],
    [{ exact: '/a' }, '/ab', false],
    [{ prefix: '/a' }, '/ab', true],
    [{ prefix: '/b' }, '/ab', false],
    [{ suffix: '.js' }, '/x.js', true],
    [{ regex: '/v[0-9]+/.*' }, '/v1/x', true],
    [{ regex: '/v[0-9]+' }, '/v1/x', false], // anchored: the whole value must match
    [{ regex: '(' }, '(', false], // invalid regex never matches
    [{ presence: true }, '', true],
    [{ presence: true }, undefined, false],
    [{ exact: '' }, undefined, false],
  ];
  for (const [m, v, want] of rows) assert.equal(stringMatches(m, v), want, `${JSON.stringify(m)} vs ${v}`);
});

test('every present part of a match must hold', () => {
  const rows: [L7RouteMatch, Partial<L7Request>, boolean][] = [
    [{}, {}, true],
    [{ path: { prefix: '/api' } }, {}, true],
    [{ path: { exact: '/api/v1/items' } }, {}, true], // query is not part of the path
    [{ path: { exact: '/api/v1/items?color=red&size=2' } }, {}, false],
    [{ method: 'GET' }, {}, true],
    [{ method: 'POST' }, {}, false],
    [{ headers: { 'x-user': { exact: 'alice' } } }, {}, true],
    [{ headers: { 'x-user': { exact: 'bob' } } }, {}, false],
    [{ headers: { 'x-missing': { presence: true } } }, {}, false],
    [{ queryParams: { color: { exact: 'red' } } }, {}, true],
    [{ queryParams: { color: { exact: 'blue' } } }, {}, false],
    [{ port: 80 }, {}, true],
    [{ port: 8080 }, {}, false],
    [{ path: { prefix: '/api' }, method: 'POST' }, {}, false],
    [{ grpc: { service: 'echo.Echo', method: 'Call' } }, { path: '/echo.Echo/Call' }, true],
    [{ grpc: { service: 'echo.Echo' } }, { path: '/other.Svc/Call' }, false],
  ];
  for (const [m, over, want] of rows) assert.equal(requestMatches(m, req(over)), want, JSON.stringify(m));
});

const route = (name: string, matches: L7RouteMatch[]): L7Route => ({
  name,
  matches,
  backends: [{ service: 'ns/x', weight: 1 }],
});

test('first matching route wins; a route without matches catches all; none → undefined', () => {
  const routes = [
    route('v2-header', [{ headers: { 'x-user': { exact: 'bob' } } }]),
    route('api', [{ path: { prefix: '/nope' } }, { path: { prefix: '/api' } }]),
    route('all', []),
  ];
  assert.equal(selectRoute(routes, req())?.route.name, 'api');
  assert.deepEqual(selectRoute(routes, req())?.match, { path: { prefix: '/api' } });
  assert.equal(selectRoute(routes, req({ headers: { 'x-user': 'bob' } }))?.route.name, 'v2-header');
  assert.equal(selectRoute(routes, req({ path: '/other' }))?.route.name, 'all');
  assert.equal(selectRoute(routes.slice(0, 2), req({ path: '/other' })), undefined);
});

test('weighted choice follows the weights', () => {
  const b = [
    { id: 'a', weight: 90 },
    { id: 'b', weight: 10 },
    { id: 'c', weight: 0 },
  ];
  assert.equal(pickWeighted(b, 0)?.id, 'a');
  assert.equal(pickWeighted(b, 0.899)?.id, 'a');
  assert.equal(pickWeighted(b, 0.9)?.id, 'b');
  assert.equal(pickWeighted(b, 0.9999)?.id, 'b');
  assert.equal(pickWeighted([{ id: 'z', weight: 0 }], 0.5)?.id, 'z');
  assert.equal(pickWeighted([], 0.5), undefined);
  const counts = { a: 0, b: 0, c: 0 };
  for (let i = 0; i < 1000; i++) counts[pickWeighted(b, i / 1000)!.id as 'a']++;
  assert.deepEqual(counts, { a: 900, b: 100, c: 0 });
});
