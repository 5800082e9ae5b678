/**
 * @module clusters/local/node-bundle.test
 * Bundling meshbench's programs: the ztunnel bundle runs under plain Node.js (no tsx) and finds its
 * data files through the original `import.meta.url`; a second build of unchanged sources reuses the
 * same content-addressed file; a TypeScript error names the file and line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './images.ts';
import { bundleEntries } from './node-bundle.ts';

describe('bundleEntries', () => {
  it('builds runnable, content-addressed bundles that still find files next to their sources', {
    timeout: 60_000,
  }, async () => {
    const a = await bundleEntries({ 'mbtest-proto-root': 'reference-impl/control-plane/wire/proto-root.ts' });
    const b = await bundleEntries({ 'mbtest-proto-root': 'reference-impl/control-plane/wire/proto-root.ts' });
    assert.equal(a['mbtest-proto-root'], b['mbtest-proto-root'], 'same sources → same bundle file');
    const probe = join(REPO_ROOT, '.meshbench', 'bundles', `probe-${process.pid}.mjs`);
    await writeFile(
      probe,
      `const m = await import(${JSON.stringify(a['mbtest-proto-root'])});\nconst names = Object.keys(m);\nconst root = typeof m.protoRoot === 'function' ? m.protoRoot() : null;\nprocess.stdout.write(JSON.stringify({ names, ok: root !== null }));\n`,
    );
    try {
      const r = spawnSync(process.execPath, [probe], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { names: string[]; ok: boolean };
      assert.ok(out.names.length > 0, 'the bundle exports the module');
      assert.equal(out.ok, true, 'protos found through the source URL');
    } finally {
      await rm(probe, { force: true });
    }
  });

  it('names the file and line of a compile error', async () => {
    const dir = await mkdtemp(join(REPO_ROOT, '.meshbench', 'mbtest-bad-'));
    try {
      await writeFile(join(dir, 'bad.ts'), 'export const x = ;\n');
      await assert.rejects(
        bundleEntries({ 'mbtest-bad': join(dir, 'bad.ts') }),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, 'E_BUILD');
          assert.match(e.message, /bad\.ts:1:/);
          return true;
        },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
