/** @module clusters/existing/kube-config.test */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { hasCode } from '../../core/errors.ts';
import { contextNames, loadKubeConfig, selectContext } from './kube-config.ts';

test('no kubeconfig anywhere means no contexts (not a made-up localhost one)', () => {
  const empty = mkdtempSync(join(tmpdir(), 'meshbench-kc-'));
  const kc = loadKubeConfig(undefined, { KUBECONFIG: join(empty, 'missing') });
  assert.deepEqual(contextNames(kc), []);
  assert.throws(
    () => selectContext(kc, 'current'),
    (err) => hasCode(err, 'E_CLUSTER_NOT_FOUND') && /set KUBECONFIG/.test(err.message),
  );
});

test('selectContext picks a named context or the current one, on a copy', () => {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443' }],
    users: [{ name: 'u' }],
    contexts: [
      { name: 'a', cluster: 'c', user: 'u' },
      { name: 'b', cluster: 'c', user: 'u' },
    ],
    currentContext: 'a',
  });
  assert.equal(selectContext(kc, 'b').getCurrentContext(), 'b');
  assert.equal(selectContext(kc, 'current').getCurrentContext(), 'a');
  assert.equal(kc.getCurrentContext(), 'a', 'the original is untouched');
  assert.throws(
    () => selectContext(kc, 'z'),
    (err) => hasCode(err, 'E_CLUSTER_NOT_FOUND') && /a, b/.test(err.message),
  );
});
