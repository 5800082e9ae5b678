/**
 * @module suites/conformance/rows/rows.test
 * The registry is complete and consistent: unique ids, every seed row present (the seed text file is
 * parsed here and each table line matched to a row), every feature pointing at a real row, every row
 * measured by at least one feature, every test feature naming its negative control.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SeedRow } from '../../../results/conformance/model.ts';
import { expectedModes, FEATURES, featureCatalog, SEED_ROWS } from './index.ts';

const seedText = readFileSync(
  fileURLToPath(new URL('../../fixtures/seeds/000_85cc33091f0f640a.txt', import.meta.url)),
  'utf8',
);
const lines = seedText.split('\n').map((l) => l.replace(/\s+$/, ''));

const norm = (s: string) =>
  s
    .replace(/^\s*•\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();

function region(startsWith: string, endExact: string): string[] {
  const start = lines.findIndex((l) => l.startsWith(startsWith));
  const end = lines.findIndex((l, i) => i > start && l.trim() === endExact);
  assert.ok(start >= 0 && end > start, `seed region ${startsWith} … ${endExact} found`);
  return lines.slice(start, end).filter((l) => l.trim() !== '');
}

/** Matches every line of a table region to a row (a row's first line starts with its label). */
function matchTable(
  table: SeedRow['table'],
  regionLines: string[],
  sectionHeadings: string[] = [],
): Set<string> {
  const rows = SEED_ROWS.filter((r) => r.table === table);
  const found = new Set<string>();
  let current: SeedRow | undefined;
  for (const raw of regionLines) {
    const line = norm(raw);
    if (sectionHeadings.includes(line)) continue;
    const byLabel = rows
      .filter((r) => line.startsWith(norm(r.label.split(' gives')[0]!)))
      .sort((a, b) => b.label.length - a.label.length)[0];
    if (byLabel && !(current && byLabel === current)) {
      current = byLabel;
      found.add(byLabel.id);
      continue;
    }
    assert.ok(current, `seed line "${line}" comes before any row of ${table}`);
    const cells = norm([current.label, ...Object.values(current.seedText)].join(' '));
    assert.ok(cells.includes(line), `seed line "${line}" is not part of row ${current.id} (${table})`);
  }
  return found;
}

test('feature and seed row ids are unique', () => {
  const ids = FEATURES.map((f) => f.id);
  assert.deepEqual(
    ids.filter((id, i) => ids.indexOf(id) !== i),
    [],
  );
  const rowIds = SEED_ROWS.map((r) => r.id);
  assert.deepEqual(
    rowIds.filter((id, i) => rowIds.indexOf(id) !== i),
    [],
  );
});

test('every row of the comparison table is in the registry', () => {
  const found = matchTable('comparison', region('Traffic management', 'Layer 4 vs Layer 7 features'));
  assert.deepEqual(
    [...found].sort(),
    SEED_ROWS.filter((r) => r.table === 'comparison')
      .map((r) => r.id)
      .sort(),
  );
});

test('every row of the L4 vs L7 table is in the registry', () => {
  const found = matchTable('l4-vs-l7', region('Encryption', 'Supported features'), ['Traffic management']);
  assert.deepEqual(
    [...found].sort(),
    SEED_ROWS.filter((r) => r.table === 'l4-vs-l7')
      .map((r) => r.id)
      .sort(),
  );
});

test('every item of the supported and not-yet-implemented lists is in the registry', () => {
  const start = lines.findIndex((l) => l.trim() === 'Supported features');
  const split = lines.findIndex((l) => l.startsWith('The following features are not yet implemented'));
  const end = lines.findIndex((l) => l.startsWith('Was this information useful'));
  const bullets = (from: number, to: number) =>
    lines
      .slice(from, to)
      .filter((l) => l.trim().startsWith('•'))
      .map(norm);
  const labels = (table: SeedRow['table']) =>
    SEED_ROWS.filter((r) => r.table === table).map((r) => norm(r.label));
  assert.deepEqual(bullets(start, split), labels('supported-features'));
  assert.deepEqual(bullets(split, end), labels('not-yet-implemented'));
});

test('the ids the brief names all exist', () => {
  for (const id of [
    'security.encryption',
    'security.l4-authz.principal',
    'security.l4-authz.network',
    'security.peer-authentication',
    'traffic.l4.connection-lb',
    'traffic.tcp-shifting',
    'traffic.circuit-breaking.tcp',
    'traffic.outlier-detection.connect',
    'traffic.rate-limit.connection',
    'traffic.timeout.connect',
    'traffic.retry.connect',
    'observability.metrics.tcp',
    'observability.logs.l4',
    'lifecycle.enrol-without-restart',
    'lifecycle.incremental',
    'protocols.server-first',
    'lifecycle.jobs',
    'security.node-scoped-keys',
    'dns.proxying',
    'egress.socks5',
    'l7.fault-injection',
    'l7.retries',
    'l7.timeouts',
    'l7.mirroring',
    'l7.authz',
    'l7.jwt',
    'l7.metrics',
    'l7.tracing',
    'traffic.http-shifting',
  ]) {
    assert.ok(
      FEATURES.some((f) => f.id === id),
      id,
    );
  }
});

test('features and rows point at each other', () => {
  for (const f of FEATURES) {
    const row = SEED_ROWS.find((r) => r.id === f.seed.row);
    assert.ok(row, `${f.id} points at missing seed row ${f.seed.row}`);
    assert.ok(
      SEED_ROWS.some((r) => r.features.includes(f.id)),
      `${f.id} fills no seed row`,
    );
    assert.ok(expectedModes(f).length > 0, `${f.id} is defined for no mode`);
    if (f.kind === 'test') assert.ok(f.negativeControl, `${f.id} names no negative control`);
    else assert.ok(f.externalReason, `${f.id} is not a test and says not why`);
  }
  for (const r of SEED_ROWS) {
    assert.ok(r.features.length > 0, `${r.id} is measured by no feature`);
    for (const id of r.features)
      assert.ok(
        FEATURES.some((f) => f.id === id),
        `${r.id} lists unknown feature ${id}`,
      );
  }
});

test('the catalog carries no undefined expectations', () => {
  for (const f of featureCatalog().features) {
    for (const v of Object.values(f.expected)) assert.ok(v !== undefined, f.id);
  }
});

test('every test feature is declared by a spec (rowTest), so none is hidden', async () => {
  const { readdirSync, statSync } = await import('node:fs');
  const { join } = await import('node:path');
  const root = fileURLToPath(new URL('..', import.meta.url));
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.spec.ts')) texts.push(readFileSync(p, 'utf8'));
    }
  };
  walk(root);
  const all = texts.join('\n');
  for (const f of FEATURES.filter((x) => x.kind === 'test')) {
    assert.ok(all.includes(`'${f.id}'`), `${f.id} has no rowTest in suites/conformance/**/*.spec.ts`);
  }
});
