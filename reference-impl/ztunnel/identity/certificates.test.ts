/** Certificate manager: caching, rotation at half-life, listeners, no keys in the listing. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../../core/logger.ts';
import { createCertificateManager } from './certificates.ts';
import { createTestCa } from './test-ca.ts';

test('certificates are fetched once, rotated at half-life, and listed without keys', async () => {
  const ca = await createTestCa();
  let fetches = 0;
  const mgr = createCertificateManager(
    {
      fetchCertificate: (id) => {
        fetches += 1;
        return ca.issue(id, { notAfter: new Date(Date.now() + 600) });
      },
    },
    silentLogger,
    { minRefreshMs: 50 },
  );
  const id = 'spiffe://cluster.local/ns/a/sa/b';
  const [c1, c2] = await Promise.all([mgr.get(id), mgr.get(id)]);
  assert.equal(c1, c2);
  assert.equal(fetches, 1);
  // The manager's timers are unref'd: keep the loop alive while waiting for the rotation.
  const keep = setTimeout(() => {}, 5000);
  const rotated = await new Promise<string>((resolve) => mgr.onRotate((_id, c) => resolve(c.certChainPem)));
  clearTimeout(keep);
  assert.notEqual(rotated, c1.certChainPem);
  assert.ok(fetches >= 2);
  assert.doesNotMatch(JSON.stringify(mgr.list()), /PRIVATE KEY/);
  mgr.close();
});
