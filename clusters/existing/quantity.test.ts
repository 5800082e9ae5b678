/** @module clusters/existing/quantity.test */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQuantity } from './quantity.ts';

test('parseQuantity reads CPU and memory quantities', () => {
  assert.equal(parseQuantity('250m'), 0.25);
  assert.ok(Math.abs(parseQuantity('12345678n') - 0.012345678) < 1e-12);
  assert.equal(parseQuantity('2'), 2);
  assert.equal(parseQuantity('64Mi'), 64 * 2 ** 20);
  assert.equal(parseQuantity('1G'), 1e9);
  assert.equal(parseQuantity('1.5Ki'), 1536);
  assert.throws(() => parseQuantity('12 apples'));
});
