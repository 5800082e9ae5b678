/**
 * @module results/conformance/feature-table
 * Renders the seed's feature tables in Markdown from measured outcomes: the same rows, the same columns
 * (Sidecar | Ambient | Ambient + waypoint), each cell the outcome of the features that measure the row
 * in that column's modes, linked to its evidence. Rows nobody ran still appear ("not run").
 */
import {
  type FeatureCatalog,
  type FeatureDef,
  type Mode,
  type OutcomeStatus,
  type RowOutcome,
  type SeedRow,
  TABLE_COLUMNS,
} from './model.ts';

const SYMBOL: Record<OutcomeStatus, string> = {
  passed: '✅',
  failed: '❌',
  defect: '⚠️',
  'not-supported': '⛔',
  skipped: '⏭️',
};

const TABLE_TITLES: Record<SeedRow['table'], string> = {
  comparison: 'Sidecar or ambient?',
  'l4-vs-l7': 'Layer 4 vs Layer 7 features',
  'supported-features': 'Supported features (ambient, Alpha)',
  'not-yet-implemented': 'Not yet implemented (ambient)',
};

/** Relative path of one outcome's evidence file inside the run directory. */
export function evidencePath(o: Pick<RowOutcome, 'feature' | 'mode' | 'negativeControl'>): string {
  return `evidence/${o.feature}/${o.mode}${o.negativeControl ? '-negative' : ''}.json`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function shortName(f: FeatureDef): string {
  return `${f.layer} ${f.id.split('.').slice(1).join('.') || f.id}`;
}

function qualifier(o: RowOutcome): string {
  if (o.status !== 'passed') return '';
  if (o.reason?.startsWith('flaky')) return ' (flaky)';
  if (o.expected === 'requires-waypoint') return ' (absent: requires waypoint)';
  if (o.expected === 'not-applicable') return ' (absent: N/A)';
  return '';
}

function outcomeText(f: FeatureDef, o: RowOutcome | undefined, mode: Mode, withMode: boolean): string {
  const where = withMode ? ` [${mode}]` : '';
  if (!o) {
    if (f.kind !== 'test') return `➖ ${shortName(f)}${where}: ${f.externalReason ?? 'not run here'}`;
    return `➖ ${shortName(f)}${where}: not run`;
  }
  return `[${SYMBOL[o.status]} ${shortName(f)}${where}${qualifier(o)}](${evidencePath(o)})`;
}

/** The Markdown of one cell: every feature of the row, in every mode of the column. */
export function renderCell(
  row: SeedRow,
  modes: readonly Mode[],
  catalog: FeatureCatalog,
  outcomes: readonly RowOutcome[],
): string {
  const parts: string[] = [];
  const counts = new Map<string, number>();
  const summarize = row.features.length > 4;
  for (const id of row.features) {
    const f = catalog.features.find((x) => x.id === id);
    if (!f) continue;
    const defined = modes.filter((m) => f.expected[m] !== undefined);
    for (const mode of defined) {
      const o = outcomes.find((x) => x.feature === id && x.mode === mode && !x.negativeControl);
      if (summarize) {
        const key = o ? SYMBOL[o.status] : '➖';
        counts.set(key, (counts.get(key) ?? 0) + 1);
      } else parts.push(outcomeText(f, o, mode, defined.length > 1));
    }
  }
  if (summarize) {
    return counts.size === 0 ? 'not defined' : [...counts].map(([k, n]) => `${k} ${n}`).join(' · ');
  }
  return parts.length === 0 ? 'not defined for this mode' : parts.join('<br>');
}

function seedSummary(row: SeedRow): string {
  const t = row.seedText;
  const pairs: [string, string | undefined][] = [
    ['sidecar', t.sidecar],
    ['ambient', t.ambient],
    ['L4', t.l4],
    ['L7', t.l7],
    ['', t.item],
  ];
  return pairs
    .filter(([, v]) => v)
    .map(([k, v]) => (k ? `${k}: ${v}` : v!))
    .join(' · ');
}

/** Markdown of all seed tables (and the baseline and negative-control sections when present). */
export function renderFeatureTable(
  catalog: FeatureCatalog,
  outcomes: readonly RowOutcome[],
  title = 'Feature table',
): string {
  const lines: string[] = [
    `# ${title}`,
    '',
    `Regenerated from measured outcomes; seed: \`${catalog.seed.file}\` (${catalog.seed.title}).`,
    '',
  ];
  lines.push(
    'Legend: ✅ passed · ❌ failed · ⚠️ defect (test passed with its feature removed) · ⛔ not supported by the implementation · ⏭️ skipped · ➖ not run. "absent" = the mode was required to visibly *not* do it, and did not.',
    '',
  );
  const header = `| Row | ${TABLE_COLUMNS.map((c) => c.title).join(' | ')} |`;
  const rule = `| --- | ${TABLE_COLUMNS.map(() => '---').join(' | ')} |`;
  for (const table of Object.keys(TABLE_TITLES) as SeedRow['table'][]) {
    const rows = catalog.rows.filter((r) => r.table === table);
    if (rows.length === 0) continue;
    lines.push(`## ${TABLE_TITLES[table]}`, '', header, rule);
    let section: string | undefined;
    for (const row of rows) {
      if (row.section && row.section !== section) {
        section = row.section;
        lines.push(`| **${section}** |${TABLE_COLUMNS.map(() => ' |').join('')}`);
      }
      const label = `**${escapeCell(row.label)}**<br><sub>${escapeCell(seedSummary(row))}</sub>`;
      const cells = TABLE_COLUMNS.map((c) => escapeCell(renderCell(row, c.modes, catalog, outcomes)));
      lines.push(`| ${label} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  const baseline = outcomes.filter((o) => o.mode === 'baseline' && !o.negativeControl);
  if (baseline.length) {
    lines.push('## Baseline (no mesh)', '', '| Feature | Expected | Outcome |', '| --- | --- | --- |');
    for (const o of baseline)
      lines.push(
        `| ${o.feature} | ${o.expected ?? ''} | [${SYMBOL[o.status]} ${o.status}](${evidencePath(o)}) |`,
      );
    lines.push('');
  }
  const negativeAll = outcomes.filter((o) => o.negativeControl);
  const negative = negativeAll.filter((o) => o.status !== 'skipped');
  if (negativeAll.length) {
    lines.push(
      '## Negative controls (feature removed: the assertion must fail)',
      '',
      '| Feature | Mode | Outcome |',
      '| --- | --- | --- |',
    );
    const skipped = negativeAll.length - negative.length;
    if (skipped)
      lines.splice(
        lines.length - 2,
        0,
        `${skipped} controls skipped (row not supported in that mode, absence rows, or no control defined); see conformance.json.`,
        '',
      );
    for (const o of negative) {
      const text = o.status === 'passed' ? 'control confirmed' : o.status;
      lines.push(`| ${o.feature} | ${o.mode} | [${SYMBOL[o.status]} ${text}](${evidencePath(o)}) |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
