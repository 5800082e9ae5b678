/**
 * The Node.js flags of the mesh's programs: defaults, then the environment's, and a clear error for
 * what is not a flag.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../core/errors.ts';
import { nodeFlagsFor } from './node-flags.ts';

test('MESHBENCH_NODE_FLAGS_<APP> adds Node.js flags to that program only, and refuses what is not a flag', () => {
  const env = { MESHBENCH_NODE_FLAGS_ZTUNNEL: ' --cpu-prof  --max-semi-space-size=2 ' };
  assert.deepEqual(nodeFlagsFor('ztunnel', env), [
    '--max-semi-space-size=2', // the ztunnel's default
    '--cpu-prof',
    '--max-semi-space-size=2',
  ]);
  assert.deepEqual(nodeFlagsFor('istio-cni-node', env), []);
  assert.throws(
    () => nodeFlagsFor('istio-cni-node', { MESHBENCH_NODE_FLAGS_ISTIO_CNI_NODE: '--x rm' }),
    (err) => hasCode(err, 'E_FLAG') && /MESHBENCH_NODE_FLAGS_ISTIO_CNI_NODE: "rm"/.test(String(err)),
  );
});
