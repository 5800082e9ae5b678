/** @module scripts/cli/main/main-steps.test */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateObjects } from '../../../clusters/manifests.ts';
import type { RowOutcome } from '../../../results/conformance/model.ts';
import { countByMode, ListProgress, summaryLine } from './conformance-summary.ts';
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

test('the main steps have unique ids, in run order', () => {
  const ids = MAIN_STEPS.map((s) => s.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(ids, ['cluster', 'deploy', 'reachability', 'conformance', 'latency']);
});

test('conformance counts per mode leave negative controls out and read as one line', () => {
  const o = (mode: RowOutcome['mode'], status: RowOutcome['status'], negativeControl = false) =>
    ({ feature: 'f', mode, status, negativeControl }) as RowOutcome;
  const counts = countByMode(
    ['baseline', 'ambient', 'waypoint'],
    [
      o('baseline', 'passed'),
      o('ambient', 'passed'),
      o('ambient', 'failed'),
      o('ambient', 'not-supported'),
      o('ambient', 'failed', true),
      o('ambient', 'skipped'),
    ],
  );
  assert.deepEqual(counts[1], {
    mode: 'ambient',
    passed: 1,
    failed: 1,
    skipped: 1,
    'not-supported': 1,
    defect: 0,
  });
  assert.equal(
    summaryLine(counts),
    'baseline 1 passed · ambient 1 passed, 1 failed, 1 not-supported, 1 skipped · waypoint nothing run',
  );
});

test('Playwright list output counts finished tests once, retries not again', () => {
  const p = new ListProgress();
  assert.equal(p.feed('\nRunning 4 tests using 2 workers\n\n'), false);
  assert.equal(p.total, 4);
  assert.equal(
    p.feed('  \u001b[32m✓\u001b[39m  1 [baseline] › a.spec.ts:3:1 › x (1.2s)\n  -  2 [wayp'),
    true,
  );
  p.feed('oint] › b.spec.ts:3:1 › y\n  ✘  3 [ambient] › c.spec.ts:1:1 › z (2s)\n');
  p.feed('  ✓  4 [ambient] › c.spec.ts:1:1 › z (retry #1) (1s)\n  ✓  5 [ambient] › d.spec.ts:1:1 › w (1s)\n');
  assert.equal(p.done, 4);
  assert.equal(p.failed, 1);
});
