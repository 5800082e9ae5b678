/**
 * @module reference-impl/waypoint/header-ops.test
 * Table tests of header modifiers, path rewrites and redirect locations.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyHeaderModifiers, redirectLocation, rewritePath } from './header-ops.ts';

test('set, add, remove, in that order, case-insensitive', () => {
  const h = { 'x-a': '1', 'x-b': '2', 'x-c': '3' };
  assert.deepEqual(
    applyHeaderModifiers(h, { set: { 'X-A': 'one' }, add: { 'x-b': 'two', 'x-new': 'n' }, remove: ['X-C'] }),
    {
      'x-a': 'one',
      'x-b': '2, two',
      'x-new': 'n',
    },
  );
  assert.deepEqual(applyHeaderModifiers(h, undefined), h);
  assert.deepEqual(applyHeaderModifiers(h, { set: { 'x-a': 'r' } }, { set: { 'x-a': 'b' } })['x-a'], 'b');
  assert.equal(h['x-a'], '1', 'input not modified');
});

test('path rewrites', () => {
  const rows: [string, Parameters<typeof rewritePath>[1], Parameters<typeof rewritePath>[2], string][] = [
    ['/v1/items?x=1', { prefix: '/v2' }, { path: { prefix: '/v1' } }, '/v2/items?x=1'],
    ['/v1/items', { prefix: '/' }, { path: { prefix: '/v1/' } }, '/items'],
    ['/v1', { prefix: '/new' }, { path: { prefix: '/v1' } }, '/new'],
    ['/anything', { path: '/fixed' }, undefined, '/fixed'],
    ['/anything?q=1', { path: '/fixed' }, undefined, '/fixed?q=1'],
    ['/same', { host: 'other' }, undefined, '/same'],
    ['/same', undefined, undefined, '/same'],
  ];
  for (const [path, rw, match, want] of rows)
    assert.equal(rewritePath(path, rw, match), want, `${path} ${JSON.stringify(rw)}`);
});

test('redirect locations', () => {
  const req = { scheme: 'http', authority: 'echo.ns:80', path: '/old/page?x=1' };
  assert.equal(redirectLocation({ path: '/new', statusCode: 301 }, req), 'http://echo.ns/new');
  assert.equal(redirectLocation({ host: 'other', statusCode: 302 }, req), 'http://other/old/page?x=1');
  assert.equal(redirectLocation({ scheme: 'https', statusCode: 301 }, req), 'https://echo.ns/old/page?x=1');
  assert.equal(redirectLocation({ port: 8080, statusCode: 301 }, req), 'http://echo.ns:8080/old/page?x=1');
  assert.equal(
    redirectLocation({ prefix: '/fresh', statusCode: 302 }, req, { path: { prefix: '/old' } }),
    'http://echo.ns/fresh/page?x=1',
  );
});
