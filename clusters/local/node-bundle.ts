/**
 * @module clusters/local/node-bundle
 * The local provider's "image build" for meshbench's own Node.js programs (control plane, ztunnel,
 * node agent, waypoint, sidecar, echo): each entry point is bundled by esbuild into one ES module
 * that Node.js runs directly, instead of `node --import tsx` transpiling TypeScript in every process
 * at start. That is what a container image would hold, and it costs each process about 35 MiB less
 * memory (tsx's loader and the TypeScript sources stay out of the heap) and its start-up compile.
 *
 * Bundles are a cache keyed by content: `<repo>/.meshbench/bundles/<name>-<sha256:12>.mjs`, built
 * from the current sources on every call (esbuild takes well under a second), so a process never
 * runs stale code. They live inside the repository so that their bare imports (`koffi`,
 * `@grpc/grpc-js`, ...) resolve from its node_modules; `import.meta.url` keeps meaning the original
 * source file, so data files found relative to it (protos) are still found. Older bundles of the
 * same name beyond the newest few are pruned.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { MeshbenchError } from '../../core/errors.ts';
import { REPO_ROOT } from './images.ts';

/** Where bundles are cached (gitignored). */
export const BUNDLE_DIR = join(REPO_ROOT, '.meshbench', 'bundles');
const KEEP_PER_NAME = 4;

/** Replaces `import.meta.url` in each repository source with that file's own URL. */
const keepSourceUrls: Plugin = {
  name: 'meshbench-source-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const text = await readFile(args.path, 'utf8');
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

/**
 * Bundles each `name → entry` (a path relative to the repository or absolute) and returns
 * `name → bundle path`. Throws `E_BUILD` naming the entry and esbuild's first errors.
 */
export async function bundleEntries(entries: Record<string, string>): Promise<Record<string, string>> {
  const names = Object.keys(entries);
  if (names.length === 0) return {};
  const entryPoints = names.map((name) => ({ in: resolve(REPO_ROOT, entries[name]!), out: name }));
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build({
      entryPoints,
      outdir: BUNDLE_DIR,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      write: false,
      logLevel: 'silent',
      plugins: [keepSourceUrls],
    });
  } catch (err) {
    const errors =
      (err as { errors?: { text: string; location?: { file: string; line: number } }[] }).errors ?? [];
    const first = errors
      .slice(0, 3)
      .map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text))
      .join('; ');
    throw new MeshbenchError('E_BUILD', `bundling ${names.join(', ')} failed: ${first || String(err)}`, {
      hint: 'fix the TypeScript error named above (npm run check shows all of them)',
      cause: err,
    });
  }
  await mkdir(BUNDLE_DIR, { recursive: true });
  const out: Record<string, string> = {};
  for (const file of result.outputFiles ?? []) {
    const name = basename(file.path, '.js');
    const hash = createHash('sha256').update(file.contents).digest('hex').slice(0, 12);
    const target = join(BUNDLE_DIR, `${name}-${hash}.mjs`);
    if (!(await exists(target))) {
      const tmp = `${target}.${process.pid}.tmp`;
      await writeFile(tmp, file.contents);
      await rename(tmp, target);
    }
    out[name] = target;
    await prune(name, target);
  }
  for (const name of names) {
    if (!out[name]) throw new MeshbenchError('E_BUILD', `bundling ${name} produced no output`);
  }
  return out;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Keeps the newest few bundles of `name` (and always `keep`). */
async function prune(name: string, keep: string): Promise<void> {
  const files = (await readdir(BUNDLE_DIR)).filter((f) => /^(.+)-[0-9a-f]{12}\.mjs$/.exec(f)?.[1] === name);
  const dated = await Promise.all(
    files.map(async (f) => ({ path: join(BUNDLE_DIR, f), mtime: (await stat(join(BUNDLE_DIR, f))).mtimeMs })),
  );
  dated.sort((a, b) => b.mtime - a.mtime);
  for (const f of dated.slice(KEEP_PER_NAME)) {
    if (f.path !== keep) await rm(f.path, { force: true });
  }
}
