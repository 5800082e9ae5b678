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
  const deployment = (observedGeneration: number, availableReplicas: number) =>
    readinessOf(
      obj('Deployment', {
        spec: { replicas: 3 },
        status: { observedGeneration, availableReplicas, updatedReplicas: 3 },
      }),
    );
  assert.equal(deployment(1, 3).ready, false);
  assert.deepEqual(deployment(2, 2), { ready: false, reason: '2/3 replicas available' });
  assert.equal(deployment(2, 3).ready, true);
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
