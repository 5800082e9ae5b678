/** @module scripts/cli/main/main-steps.test */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateObjects } from '../../../clusters/manifests.ts';
import { DEMO, demoObjects } from './demo-workload.ts';
import { judge } from './reachability-step.ts';
import { MAIN_STEPS } from './steps.ts';

test('the demo workload is valid Kubernetes and carries namespace labels', () => {
  const objects = demoObjects({ 'istio.io/dataplane-mode': 'ambient' });
  validateObjects(objects);
  assert.deepEqual(
    objects.map((o) => o.kind),
    ['Namespace', 'Deployment', 'Service', 'Pod'],
  );
  assert.equal(objects[0]?.metadata.labels?.['istio.io/dataplane-mode'], 'ambient');
  assert.equal((objects[1]!.spec as { replicas: number }).replicas, DEMO.replicas);
});

test('judge passes only when every call succeeded and exactly the expected pods answered', () => {
  const base = { total: 6, ok: 6, failed: 0, p50Ms: 1, p99Ms: 2 };
  assert.equal(judge('svc', 'u', { ...base, hostnames: ['a', 'b'] }, ['a', 'b']).passed, true);
  assert.equal(
    judge('svc', 'u', { ...base, hostnames: ['a'] }, ['a', 'b']).passed,
    false,
    'one pod never answered',
  );
  assert.equal(
    judge('pod', 'u', { ...base, hostnames: ['a', 'x'] }, ['a']).passed,
    false,
    'a stranger answered',
  );
  assert.equal(judge('pod', 'u', { ...base, ok: 5, failed: 1, hostnames: ['a'] }, ['a']).passed, false);
  assert.equal(judge('pod', 'u', { ...base, total: 0, ok: 0, hostnames: [] }, []).passed, false);
});

test('the main steps have unique ids, cluster first', () => {
  const ids = MAIN_STEPS.map((s) => s.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(ids[0], 'cluster');
});
