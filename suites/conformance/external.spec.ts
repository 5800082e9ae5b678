/**
 * @module suites/conformance/external.spec
 * Rows measured outside this suite (performance) or needing an environment the run lacks
 * (multi-cluster, multi-network, dual stack, VMs): declared here so every row appears in the report,
 * skipped with its reason, never hidden.
 */
import { rowTest, test } from './define-row.ts';
import { FEATURES } from './rows/index.ts';

for (const f of FEATURES) {
  if (f.kind !== 'test') test(...rowTest(f.id));
}
