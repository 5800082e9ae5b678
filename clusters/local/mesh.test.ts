/**
 * Root-only: installs the reference mesh on a 2-node cluster (`mbtmesh`): istiod, and per node a
 * ztunnel and a node agent, as host-network pods in istio-system with tokens, logs and usage;
 * then uninstalls it. Skips while the mesh programs are not built.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { hasCode } from '../../core/errors.ts';
import { REPO_ROOT } from './images.ts';
import { clusterPaths } from './naming.ts';
import { createLocalProvider } from './provider.ts';
import { assertNothingLeft, isRoot } from './test-support.ts';

const NAME = 'mbtmesh';
const programs = ['control-plane', 'ztunnel', 'node-agent'].map(
  (p) => `${REPO_ROOT}/reference-impl/${p}/main.ts`,
);
const skip = !isRoot
  ? 'needs root (network namespaces)'
  : programs.some((p) => !existsSync(p))
    ? 'reference mesh not built yet'
    : false;
const provider = createLocalProvider();

after(async () => {
  if (skip) return;
  await provider.down(NAME);
  assertNothingLeft(NAME);
});

test('installMesh starts istiod, ztunnels and node agents as host-network pods; uninstallMesh removes them', {
  skip,
}, async () => {
  await provider.down(NAME);
  const cluster = await provider.up({ name: NAME, nodes: 2 });
  await assert.rejects(cluster.installMesh({ implementation: 'istio' }), (e: unknown) =>
    hasCode(e, 'E_UNSUPPORTED'),
  );
  try {
    const info = await cluster.installMesh(
      { implementation: 'reference', certificateTtlSeconds: 3600 },
      { timeoutMs: 60_000 },
    );
    assert.equal(info.systemNamespace, 'istio-system');
  } catch (err) {
    const dump = await Promise.all(
      (await cluster.pods('istio-system')).map(
        async (p) => `${p.name} ${p.phase} ready=${p.ready}\n${await cluster.logs(p, { tail: 15 })}`,
      ),
    );
    throw new Error(`${(err as Error).message}\n${dump.join('\n')}`);
  }
  const pods = await cluster.pods('istio-system');
  assert.deepEqual(pods.map((p) => p.name).sort(), [
    'istio-cni-node-node0',
    'istio-cni-node-node1',
    'istiod',
    'ztunnel-node0',
    'ztunnel-node1',
  ]);
  assert.ok(pods.every((p) => p.hostNetwork && p.ready));
  const tokens = JSON.parse(
    readFileSync(join(clusterPaths(NAME).meshDir, 'node-tokens.json'), 'utf8'),
  ) as Record<string, string>;
  assert.deepEqual(Object.values(tokens).sort(), ['node0', 'node1']);
  const istiod = pods.find((p) => p.name === 'istiod')!;
  assert.ok((await cluster.usage(istiod)).memoryBytes > 0);
  await cluster.uninstallMesh();
  assert.equal((await cluster.pods('istio-system')).length, 0);
  assert.equal(await cluster.get({ kind: 'Namespace', name: 'istio-system' }), undefined);
});
