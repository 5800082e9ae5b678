/**
 * @module reference-impl/control-plane/config/kube-source.test
 * The list/watch translation of the Kubernetes source: list items get their kind and apiVersion
 * back and lose server-only fields, then validate like file manifests.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectionPath, fromApiObject } from './kube-source.ts';
import { validateObject } from './validate.ts';

test('collection paths', () => {
  assert.equal(collectionPath('Pod'), '/api/v1/pods');
  assert.equal(collectionPath('AuthorizationPolicy'), '/apis/security.istio.io/v1/authorizationpolicies');
  assert.equal(collectionPath('HTTPRoute'), '/apis/gateway.networking.k8s.io/v1/httproutes');
});

test('list items become valid store objects', () => {
  const pod = fromApiObject('Pod', {
    metadata: { name: 'p', namespace: 'a', managedFields: [{ manager: 'kubectl' }] },
    spec: { containers: [{ name: 'c', image: 'x' }], nodeName: 'n1' },
    status: { phase: 'Running', podIP: '10.0.0.1' },
  } as never);
  assert.equal(pod.apiVersion, 'v1');
  assert.equal(pod.kind, 'Pod');
  assert.equal((pod.metadata as Record<string, unknown>).managedFields, undefined);
  validateObject(pod);
  const ap = fromApiObject('AuthorizationPolicy', {
    metadata: { name: 'x', namespace: 'a' },
    spec: {},
  } as never);
  assert.equal(ap.apiVersion, 'security.istio.io/v1');
  validateObject(ap);
});
