/** @module scripts/cli/parse.test */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { collectHeader, intAtLeast, parseCallUrl, parsePodRef } from './parse.ts';

test('parsePodRef splits NS/POD and rejects anything else', () => {
  assert.deepEqual(parsePodRef('demo/client-0'), { namespace: 'demo', name: 'client-0' });
  for (const bad of ['client', 'a/b/c', 'A/b', '/x', 'x/']) {
    assert.throws(() => parsePodRef(bad), InvalidArgumentError, bad);
  }
});

test('intAtLeast accepts whole numbers from min', () => {
  assert.equal(intAtLeast(1)('12'), 12);
  for (const bad of ['0', '-1', '1.5', 'x', ''])
    assert.throws(() => intAtLeast(1)(bad), InvalidArgumentError);
});

test('collectHeader accumulates Key:Value', () => {
  const h = collectHeader('b: 2', collectHeader('A:1'));
  assert.deepEqual(h, { A: '1', b: '2' });
  assert.throws(() => collectHeader('nocolon'), InvalidArgumentError);
});

test('parseCallUrl knows the echo schemes', () => {
  assert.equal(parseCallUrl('http://echo:80/'), 'http://echo:80/');
  assert.equal(parseCallUrl('tcp://10.0.0.1:9000'), 'tcp://10.0.0.1:9000');
  assert.throws(() => parseCallUrl('ftp://x'), InvalidArgumentError);
  assert.throws(() => parseCallUrl('echo:80'), InvalidArgumentError);
});
