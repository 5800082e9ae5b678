/** @module reference-impl/echo/config.test */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../core/errors.ts';
import { DEFAULT_PORTS, parseEchoArgs } from './config.ts';

test('no port flag gives the default listeners and control port 7071', () => {
  const c = parseEchoArgs([], { POD_NAME: 'a-1', POD_NAMESPACE: 'ns', POD_IP: '198.18.0.5' });
  assert.deepEqual(c.ports, DEFAULT_PORTS);
  assert.equal(c.controlPort, 7071);
  assert.equal(c.bind, '0.0.0.0');
  assert.equal(c.version, 'v1');
  assert.equal(c.hostname, 'a-1');
  assert.equal(c.namespace, 'ns');
  assert.equal(c.podIp, '198.18.0.5');
});

test('port flags select listeners; --http repeats', () => {
  const c = parseEchoArgs(
    ['--http', '80', '--http', '8080', '--tcp', '9000', '--version', 'v2', '--cluster', 'c1'],
    {},
  );
  assert.deepEqual(c.ports, [
    { protocol: 'http', port: 80 },
    { protocol: 'http', port: 8080 },
    { protocol: 'tcp', port: 9000 },
  ]);
  assert.equal(c.version, 'v2');
  assert.equal(c.cluster, 'c1');
  assert.ok(c.hostname.length > 0, 'falls back to the OS hostname');
});

test('bad flags are E_FLAG errors naming the flag', () => {
  assert.throws(
    () => parseEchoArgs(['--http', 'eighty'], {}),
    (e) => hasCode(e, 'E_FLAG') && /--http/.test(e.message),
  );
  assert.throws(
    () => parseEchoArgs(['--grpc', '70000'], {}),
    (e) => hasCode(e, 'E_FLAG'),
  );
  assert.throws(
    () => parseEchoArgs(['--htp', '80'], {}),
    (e) => hasCode(e, 'E_FLAG') && /htp/.test(e.message),
  );
  assert.throws(
    () => parseEchoArgs(['--http', '8080', '--tcp', '8080'], {}),
    (e) => hasCode(e, 'E_FLAG') && /8080/.test(e.message),
  );
  assert.throws(
    () => parseEchoArgs(['--http', '7071'], {}),
    (e) => hasCode(e, 'E_FLAG') && /control-port/.test(e.message),
  );
});
