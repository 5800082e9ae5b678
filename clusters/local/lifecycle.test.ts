/**
 * Root-only: cluster lifecycle. `up` over an existing name fails cleanly; two clusters run side by
 * side with the same addresses; `down` leaves nothing after a normal run, after SIGKILL of the
 * daemon, and twice in a row; `connect` and `list` see live clusters.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { hasCode } from '../../core/errors.ts';
import type { Cluster } from '../cluster.ts';
import { clusterPaths } from './naming.ts';
import { preflight } from './preflight.ts';
import { createLocalProvider } from './provider.ts';
import { assertNothingLeft, fetchScript, skipUnlessRoot, webApp } from './test-support.ts';

const provider = createLocalProvider();
const A = 'mbtlife-a';
const B = 'mbtlife-b';

after(async () => {
  if (skipUnlessRoot) return;
  for (const n of [A, B]) await provider.down(n);
});

async function deployWeb(c: Cluster): Promise<void> {
  await c.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } }, ...webApp('app', 2)]);
  await c.waitReady(
    [
      { kind: 'Deployment', namespace: 'app', name: 'web' },
      { kind: 'Service', namespace: 'app', name: 'web' },
    ],
    {
      timeoutMs: 30_000,
    },
  );
}

test('two clusters side by side; up over an existing name; connect and list', {
  skip: skipUnlessRoot,
}, async () => {
  const [a, b] = await Promise.all([provider.up({ name: A, nodes: 2 }), provider.up({ name: B, nodes: 1 })]);
  await assert.rejects(
    provider.up({ name: A }),
    (e: unknown) => hasCode(e, 'E_CLUSTER_EXISTS') && /already exists/.test((e as Error).message),
  );
  await Promise.all([deployWeb(a), deployWeb(b)]);
  const pa = (await a.pods('app')).find((p) => p.ip === '198.18.16.2');
  const pb = (await b.pods('app')).find((p) => p.ip === '198.18.16.2');
  // Same addresses, different namespaces.
  assert.ok(pa && pb, 'both clusters use 198.18.16.2');
  const ra = await a.exec(pa!, fetchScript(['http://web.app/']));
  assert.match(ra.stdout, /^web-/);
  const names = (await provider.list()).map((s) => s.name);
  assert.ok(names.includes(A) && names.includes(B));
  const again = await provider.connect(B);
  await provider.down(A);
  assertNothingLeft(A);
  const rb = await again.exec(pb!, fetchScript(['http://web.app/']));
  assert.match(rb.stdout, /^web-/, 'cluster B still works after A is gone');
  await again.teardown();
  await again.teardown();
  assertNothingLeft(B);
  await assert.rejects(provider.connect(B), (e: unknown) => hasCode(e, 'E_CLUSTER_NOT_FOUND'));
});

test('down after SIGKILL of the daemon, and twice in a row, leaves nothing', {
  skip: skipUnlessRoot,
}, async () => {
  const c = await provider.up({ name: A, nodes: 2 });
  await deployWeb(c);
  const state = JSON.parse(readFileSync(clusterPaths(A).stateFile, 'utf8')) as { daemonPid: number };
  process.kill(state.daemonPid, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 100));
  await assert.rejects(c.pods('app'), (e: unknown) => hasCode(e, 'E_CLUSTER_DAEMON'));
  const report = await provider.down(A);
  assert.equal(report.existed, true);
  assert.ok(report.removed.processes >= 2, JSON.stringify(report));
  assertNothingLeft(A);
  const second = await provider.down(A);
  assert.equal(second.existed, false);
  assertNothingLeft(A);
});

test('bad names and flags fail before anything is created', { skip: skipUnlessRoot }, async () => {
  await assert.rejects(provider.up({ name: 'Bad_Name' }), (e: unknown) => hasCode(e, 'E_FLAG'));
  await assert.rejects(provider.up({ name: A, nodes: 0 }), (e: unknown) => hasCode(e, 'E_FLAG'));
  assertNothingLeft(A);
});

test('a missing tool is one clear error', () => {
  assert.throws(
    () => preflight(['ip', 'mb-no-such-tool']),
    (e: unknown) => hasCode(e, 'E_TOOL_MISSING') && /mb-no-such-tool/.test((e as Error).message),
  );
});
