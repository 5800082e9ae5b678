/**
 * @module reference-impl/control-plane/cli-options.test
 * Flag parsing of the process contract, good and bad.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseControlPlaneFlags } from './cli-options.ts';

test('the contract command line parses', () => {
  const f = parseControlPlaneFlags(
    '--config-dir /d --listen 0.0.0.0:15012 --admin 0.0.0.0:15014 --ca-dir /ca --node-tokens /t.json --trust-domain cluster.local --cert-ttl 60'.split(
      ' ',
    ),
  );
  assert.deepEqual(f.listen, { host: '0.0.0.0', port: 15012 });
  assert.equal(f.certTtlSeconds, 60);
  assert.equal(f.configDir, '/d');
});

for (const [args, field] of [
  ['--listen 0.0.0.0:15012', '--config-dir'],
  ['--config-dir /d --kubeconfig /k', '--config-dir'],
  ['--config-dir /d --listen nope', '--listen'],
  ['--config-dir /d --cert-ttl 0', '--cert-ttl'],
  ['--config-dir /d --trust-domain BAD!', '--trust-domain'],
] as const) {
  test(`rejects ${args}`, () => {
    assert.throws(
      () => parseControlPlaneFlags(args.split(' ')),
      (e: Error & { field?: string }) => e.field === field,
    );
  });
}
test('rejects an unknown flag', () =>
  assert.throws(() => parseControlPlaneFlags(['--config-dir', '/d', '--bogus']), /bogus/));
