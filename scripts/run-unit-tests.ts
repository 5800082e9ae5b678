/**
 * @module scripts/run-unit-tests
 * Runs every `*.test.ts` beside the code with Node's test runner (through tsx). Pass paths or
 * substrings to run a subset: `npm run test:unit -- ztunnel`. Tests that need root skip themselves
 * with a reason when not root.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOTS = ['core', 'clusters', 'reference-impl', 'suites', 'results', 'scripts'];

function findTests(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (entry.endsWith('.test.ts')) out.push(relative(process.cwd(), path));
  }
}

const filters = process.argv.slice(2);
const files: string[] = [];
for (const root of ROOTS) findTests(root, files);
const selected = filters.length ? files.filter((f) => filters.some((p) => f.includes(p))) : files;
if (selected.length === 0) {
  process.stderr.write(`no test files match ${filters.join(' ')}\n`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...selected.sort()],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
