/** @module reference-impl/echo/forward-request.test */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MeshbenchError } from '../../core/errors.ts';
import { parseForwardRequest, parseTargetUrl } from './forward-request.ts';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof MeshbenchError);
    assert.equal(e.code, 'E_ECHO_REQUEST');
    return e.details.field as string;
  }
  assert.fail('expected a rejection');
}

test('target URLs keep the raw path and default ports', () => {
  assert.deepEqual(parseTargetUrl('http://svc.ns:8080/a/../b?x=%zz'), {
    scheme: 'http',
    host: 'svc.ns',
    port: 8080,
    authority: 'svc.ns:8080',
    path: '/a/../b?x=%zz',
  });
  assert.equal(parseTargetUrl('h2c://a').port, 80);
  assert.equal(parseTargetUrl('http://a?x=1').path, '/?x=1');
  assert.deepEqual(parseTargetUrl('tcp://[fd00::1]:9090').host, 'fd00::1');
});

test('defaults: one GET, 5 s, reuse for HTTP, fresh connections for TCP', () => {
  const p = parseForwardRequest({ url: 'http://a:1/' });
  assert.equal(p.count, 1);
  assert.equal(p.method, 'GET');
  assert.equal(p.timeoutMs, 5000);
  assert.equal(p.reuseConnection, true);
  assert.equal(parseForwardRequest({ url: 'tcp://a:1' }).reuseConnection, false);
  assert.equal(
    parseForwardRequest({ url: 'tcp://a:1', newConnectionPerRequest: false }).reuseConnection,
    true,
  );
  assert.equal(
    parseForwardRequest({ url: 'http://a:1', newConnectionPerRequest: true }).reuseConnection,
    false,
  );
  assert.deepEqual(parseForwardRequest({ url: 'http://a:1', socks5: '127.0.0.1:15080' }).socks5, {
    host: '127.0.0.1',
    port: 15080,
  });
});

test('malformed requests name the field', () => {
  assert.equal(
    fieldOf(() => parseForwardRequest([])),
    '(body)',
  );
  assert.equal(
    fieldOf(() => parseForwardRequest({})),
    'url',
  );
  assert.equal(
    fieldOf(() => parseForwardRequest({ url: 'ftp://a:1' })),
    'url',
  );
  assert.equal(
    fieldOf(() => parseForwardRequest({ url: 'tcp://a' })),
    'url',
  );
  assert.equal(
    fieldOf(() => parseForwardRequest({ url: 'http://a:1', count: 10_001 })),
    'count',
  );
  assert.equal(
    fieldOf(() => parseForwardRequest({ url: 'http://a:1', count: 1.5 })),
    'count',
  );
  assert.equal(
    fieldOf(() => parseForwardRequest({ url: 'http://a:1', timeoutMs: 0 })),
    'timeoutMs',
  );
  assert.equal(
    fieldOf(() => parseForwardRequest({ url: 'http://a:1', method: 'G T' })),
    'method',
  );
  assert.equal(
    fieldOf(() => parseForwardRequest({ url: 'http://a:1', headers: { 'x-a': 1 } })),
    'headers.x-a',
  );
  assert.equal(
    fieldOf(() => parseForwardRequest({ url: 'http://a:1', headers: { 'x a': '1' } })),
    'headers.x a',
  );
  assert.equal(
    fieldOf(() => parseForwardRequest({ url: 'http://a:1', socks5: 'nope' })),
    'socks5',
  );
  assert.equal(
    fieldOf(() => parseForwardRequest({ url: 'http://a:1', newConnectionPerRequest: 'yes' })),
    'newConnectionPerRequest',
  );
  assert.equal(
    fieldOf(() => parseForwardRequest({ url: 'http://a:1', qps: 5 })),
    'qps',
  );
});
