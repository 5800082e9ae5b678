/**
 * @module scripts/cli/conformance.test
 * `meshbench conformance` flags → Playwright arguments.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { playwrightArgs } from './conformance.ts';

test('defaults run every mode project', () => {
  const args = playwrightArgs({ mode: [], row: [], negativeControls: false });
  assert.deepEqual(
    args.filter((a) => a !== '--project'),
    ['test', 'baseline', 'ambient', 'waypoint', 'sidecar', 'interop'],
  );
});

test('modes, rows and negative controls map to projects and a grep', () => {
  const args = playwrightArgs({
    mode: ['ambient'],
    row: ['security.encryption', 'lifecycle.jobs'],
    negativeControls: true,
    workers: 1,
  });
  assert.deepEqual(args, [
    'test',
    '--project',
    'ambient',
    '--project',
    'ambient-negative',
    '--grep',
    '(^|\\s)(security\\.encryption|lifecycle\\.jobs): ',
    '--workers',
    '1',
  ]);
  const re = new RegExp(args[6]!);
  assert.ok(
    re.test('suites/conformance/security/encryption.spec.ts security.encryption: Traffic between pods'),
  );
  assert.ok(!re.test('x security.encryptionX: y'));
});
