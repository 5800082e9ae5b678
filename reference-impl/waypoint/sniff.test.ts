/**
 * @module reference-impl/waypoint/sniff.test
 * Protocol sniffing of a tunnel's first bytes and the `Forwarded: for=` parser.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardedFor, sniff } from './waypoint.ts';

test('first bytes → protocol', () => {
  const rows: [string, ReturnType<typeof sniff>][] = [
    ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'h2'],
    ['PRI *', 'h2'],
    ['GET / HTTP/1.1\r\nhost: x\r\n\r\n', 'http1'],
    ['POST /api/v1?x=1 HTTP/1.0\r\n', 'http1'],
    ['GET /partial', 'http1'],
    ['authz', 'tcp'],
    ['log-payload', 'tcp'],
    ['\u0016\u0003\u0001\u0002\u0000', 'tcp'],
    ['get / http/1.1\r\n', 'tcp'],
  ];
  for (const [bytes, want] of rows)
    assert.equal(sniff(Buffer.from(bytes, 'latin1')), want, JSON.stringify(bytes));
});

test('Forwarded for=', () => {
  assert.deepEqual(forwardedFor('for="198.18.16.4:40000"'), { ip: '198.18.16.4', port: 40000 });
  assert.deepEqual(forwardedFor('for="198.18.16.4:40000";host=echo.ns.svc.cluster.local'), {
    ip: '198.18.16.4',
    port: 40000,
  });
  assert.deepEqual(forwardedFor('for=198.18.16.4'), { ip: '198.18.16.4', port: 0 });
  assert.equal(forwardedFor(undefined), undefined);
  assert.equal(forwardedFor('host=x'), undefined);
});
