/**
 * @module suites/conformance/implementations/manifest.test
 * Undeclared modes and features give a not-supported reason naming the implementation; baseline and
 * absence assertions need only the mode; every declared feature exists and is defined for its modes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { featureById } from '../rows/index.ts';
import { implementationManifest, unsupportedReason } from './index.ts';

const m = implementationManifest('reference');

test('baseline never needs a declaration', () => {
  assert.equal(unsupportedReason(m, 'traffic.l4.connection-lb', 'baseline', true), undefined);
});

test('an undeclared mode is not supported, with the note', () => {
  // The reference mesh declares every mode now: take one away.
  const without = {
    ...m,
    modes: m.modes.filter((x) => x !== 'sidecar'),
    notes: { ...m.notes, sidecar: 'the reference sidecar is not built yet' },
  };
  assert.match(
    unsupportedReason(without, 'l7.authz', 'sidecar', true)!,
    /does not declare the sidecar data plane \(the reference sidecar is not built yet\)/,
  );
});

test('an undeclared feature in a declared mode is not supported; absence rows need only the mode', () => {
  assert.match(
    unsupportedReason(m, 'traffic.circuit-breaking.tcp', 'sidecar', true)!,
    /does not declare traffic\.circuit-breaking\.tcp in sidecar mode \(sidecar: failed in the first full sidecar run/,
  );
  assert.equal(unsupportedReason(m, 'l7.fault-injection', 'ambient', false), undefined);
  assert.equal(unsupportedReason(m, 'security.encryption', 'ambient', true), undefined);
});

test('every declared feature exists and is expected supported in each declared mode', () => {
  for (const [id, modes] of Object.entries(m.features)) {
    const f = featureById(id);
    for (const mode of modes) assert.equal(f.expected[mode], 'supported', `${id} in ${mode}`);
  }
});

test('an unknown implementation name is rejected with the known ones', () => {
  assert.throws(() => implementationManifest('nope'), /unknown implementation "nope".*use one of reference/);
});
