/** @module clusters/existing/readiness.test */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../cluster.ts';
import { readinessOf } from './readiness.ts';

const obj = (kind: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name: 'x', generation: 2 },
  ...extra,
});

test('Deployment: observed generation and available replicas', () => {
  assert.equal(
    readinessOf(
      obj('Deployment', {
        spec: { replicas: 3 },
        status: { observedGeneration: 1, availableReplicas: 3, updatedReplicas: 3 },
      }),
    ).ready,
    false,
  );
  assert.deepEqual(
    readinessOf(
      obj('Deployment', {
        spec: { replicas: 3 },
        status: { observedGeneration: 2, availableReplicas: 2, updatedReplicas: 3 },
      }),
    ),
    {
      ready: false,
      reason: '2/3 replicas available',
    },
  );
  assert.equal(
    readinessOf(
      obj('Deployment', {
        spec: { replicas: 3 },
        status: { observedGeneration: 2, availableReplicas: 3, updatedReplicas: 3 },
      }),
    ).ready,
    true,
  );
});

test('Pod: Ready condition, waiting reason, failed phase', () => {
  assert.equal(
    readinessOf(obj('Pod', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }))
      .ready,
    true,
  );
  assert.deepEqual(
    readinessOf(
      obj('Pod', {
        status: {
          phase: 'Pending',
          containerStatuses: [{ state: { waiting: { reason: 'ImagePullBackOff' } } }],
        },
      }),
    ),
    { ready: false, reason: 'ImagePullBackOff' },
  );
  assert.equal(
    (readinessOf(obj('Pod', { status: { phase: 'Failed' } })) as { failed?: boolean }).failed,
    true,
  );
});

test('Job: Complete or Failed', () => {
  assert.equal(
    readinessOf(obj('Job', { status: { conditions: [{ type: 'Complete', status: 'True' }] } })).ready,
    true,
  );
  assert.equal(
    (
      readinessOf(obj('Job', { status: { conditions: [{ type: 'Failed', status: 'True' }] } })) as {
        failed?: boolean;
      }
    ).failed,
    true,
  );
  assert.equal(readinessOf(obj('Job', { status: {} })).ready, false);
});

test('DaemonSet, Namespace, Gateway conditions, and plain kinds', () => {
  assert.equal(
    readinessOf(
      obj('DaemonSet', { status: { observedGeneration: 2, desiredNumberScheduled: 2, numberReady: 1 } }),
    ).ready,
    false,
  );
  assert.equal(readinessOf(obj('Namespace', { status: { phase: 'Terminating' } })).ready, false);
  assert.equal(
    readinessOf(
      obj('Gateway', {
        status: { conditions: [{ type: 'Programmed', status: 'False', reason: 'Pending' }] },
      }),
    ).ready,
    false,
  );
  assert.equal(readinessOf(obj('Service')).ready, true);
});
