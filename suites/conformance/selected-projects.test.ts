/**
 * @module suites/conformance/selected-projects.test
 * `--project` parsing for the global setup.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MODES } from '../../results/conformance/model.ts';
import { projectMode, selectedProjects } from './selected-projects.ts';

test('no --project selects everything', () => {
  assert.equal(selectedProjects(['node', 'playwright', 'test']), undefined);
});

test('--project forms are all understood', () => {
  assert.deepEqual(
    selectedProjects(['test', '--project', 'ambient', 'baseline', '--grep', 'x', '--project=report']),
    ['ambient', 'baseline', 'report'],
  );
});

test('negative projects map to their mode; report has none', () => {
  assert.equal(projectMode('ambient-negative', MODES), 'ambient');
  assert.equal(projectMode('report', MODES), undefined);
});
