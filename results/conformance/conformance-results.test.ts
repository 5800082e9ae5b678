/**
 * @module results/conformance/conformance-results.test
 * Writers over a fixture of outcomes: the report is schema-valid and its statistics add up, the
 * outcome mapping distinguishes not-supported, skipped, failed and defect, the feature table renders
 * every seed row with the seed's columns, JUnit carries failures and skips, and a broken reporter
 * input never throws out of the reporter.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../../core/logger.ts';
import { renderFeatureTable } from './feature-table.ts';
import { renderJUnit } from './junit.ts';
import type { FeatureCatalog, RowOutcome } from './model.ts';
import { toOutcome } from './outcome.ts';
import { buildReport } from './report.ts';
import { ConformanceReporter } from './reporter.ts';
import { validateConformanceReport } from './schema.ts';

const catalog: FeatureCatalog = {
  seed: { file: 'seeds/x.txt', title: 'fixture' },
  rows: [
    {
      id: 'l4-vs-l7.encryption',
      table: 'l4-vs-l7',
      section: 'Security',
      label: 'Encryption',
      seedText: { l4: 'mTLS', l7: 'N/A' },
      features: ['security.encryption'],
    },
    {
      id: 'l4-vs-l7.fault-injection',
      table: 'l4-vs-l7',
      section: 'Traffic management',
      label: 'Fault injection',
      seedText: { l4: 'N/A', l7: 'Full' },
      features: ['l7.fault-injection'],
    },
    {
      id: 'comparison.latency',
      table: 'comparison',
      label: 'Average latency (p90/p99)',
      seedText: { sidecar: '0.63ms', ambient: '0.16ms' },
      features: ['performance.latency'],
    },
    {
      id: 'not-yet.vm',
      table: 'not-yet-implemented',
      label: 'VM | support',
      seedText: { item: 'not yet' },
      features: ['platforms.vm'],
    },
  ],
  features: [
    {
      id: 'security.encryption',
      title: 'enc',
      layer: 'L4',
      profile: 'core',
      kind: 'test',
      seed: { row: 'l4-vs-l7.encryption', column: 'l4' },
      expected: {
        baseline: 'not-applicable',
        ambient: 'supported',
        sidecar: 'supported',
        waypoint: 'supported',
      },
      negativeControl: 'not enrolled',
    },
    {
      id: 'l7.fault-injection',
      title: 'fault',
      layer: 'L7',
      profile: 'extended',
      kind: 'test',
      seed: { row: 'l4-vs-l7.fault-injection', column: 'l7' },
      expected: { ambient: 'requires-waypoint', waypoint: 'supported', sidecar: 'supported' },
      negativeControl: 'no VS',
    },
    {
      id: 'performance.latency',
      title: 'lat',
      layer: 'platform',
      profile: 'extended',
      kind: 'performance',
      seed: { row: 'comparison.latency', column: 'ambient' },
      expected: { ambient: 'supported' },
      externalReason: 'bench suite',
    },
    {
      id: 'platforms.vm',
      title: 'vm',
      layer: 'platform',
      profile: 'extended',
      kind: 'environment',
      seed: { row: 'not-yet.vm', column: 'item' },
      expected: { sidecar: 'supported' },
      externalReason: 'needs a VM',
    },
  ],
};

const ev = (asserted: string) => ({ asserted, seen: 'x', links: ['evidence/a/b/01-x.json'] });
const outcomes: RowOutcome[] = [
  {
    feature: 'security.encryption',
    mode: 'ambient',
    negativeControl: false,
    expected: 'supported',
    status: 'passed',
    durationMs: 1200,
    evidence: ev('no marker'),
    test: 't',
  },
  {
    feature: 'security.encryption',
    mode: 'baseline',
    negativeControl: false,
    expected: 'not-applicable',
    status: 'passed',
    durationMs: 800,
    evidence: ev('marker visible'),
    test: 't',
  },
  {
    feature: 'security.encryption',
    mode: 'sidecar',
    negativeControl: false,
    expected: 'supported',
    status: 'not-supported',
    reason: 'no sidecar',
    durationMs: 0,
    evidence: { asserted: 'no sidecar', links: [] },
    test: 't',
  },
  {
    feature: 'l7.fault-injection',
    mode: 'ambient',
    negativeControl: false,
    expected: 'requires-waypoint',
    status: 'failed',
    reason: 'saw 418',
    durationMs: 3000,
    evidence: ev('no fault'),
    test: 't',
  },
  {
    feature: 'l7.fault-injection',
    mode: 'waypoint',
    negativeControl: false,
    expected: 'supported',
    status: 'skipped',
    reason: 'no body',
    durationMs: 0,
    evidence: { asserted: 'no body', links: [] },
    test: 't',
  },
  {
    feature: 'security.encryption',
    mode: 'ambient',
    negativeControl: true,
    expected: 'supported',
    status: 'defect',
    reason: 'passed without mesh',
    durationMs: 900,
    evidence: ev('no marker'),
    test: 't',
  },
];

test('the report is schema-valid and its statistics add up', () => {
  const report = buildReport({
    run: 'r1',
    date: new Date('2026-11-26T18:00:00Z'),
    implementation: { organization: 'o', project: 'p', url: 'u', version: '1', contact: ['c'] },
    environment: { provider: 'local' },
    catalog,
    outcomes,
  });
  validateConformanceReport(report);
  const ambient = report.profiles.find((p) => p.name === 'MESH-AMBIENT')!;
  assert.deepEqual(ambient.core.statistics, { Passed: 1, Failed: 0, Skipped: 0, NotSupported: 0, Defect: 0 });
  assert.equal(ambient.core.result, 'success');
  assert.equal(ambient.extended.result, 'failure');
  assert.deepEqual(ambient.extended.failedTests, ['l7.fault-injection']);
  const negative = report.profiles.find((p) => p.negativeControl)!;
  assert.equal(negative.name, 'MESH-AMBIENT-NEGATIVE-CONTROL');
  assert.equal(negative.core.statistics.Defect, 1);
});

test('the schema rejects an outcome without a reason and names the path', () => {
  const report = buildReport({
    run: 'r',
    date: new Date(),
    implementation: { organization: 'o', project: 'p', url: 'u', version: '1', contact: [] },
    environment: {},
    catalog,
    outcomes: [{ ...outcomes[2]!, reason: undefined }] as RowOutcome[],
  });
  assert.throws(
    () => validateConformanceReport(JSON.parse(JSON.stringify(report))),
    /\/outcomes\/0 must have required property 'reason'/,
  );
});

test('test results map to the five outcome kinds', () => {
  const base = { title: 't', mode: 'ambient' as const, negativeControl: false, durationMs: 5, links: [] };
  const feature = { type: 'feature', description: 'security.encryption' };
  assert.equal(toOutcome({ ...base, annotations: [], status: 'passed' }), undefined);
  assert.equal(toOutcome({ ...base, annotations: [feature], status: 'passed' })?.status, 'passed');
  const ns = toOutcome({
    ...base,
    annotations: [
      feature,
      { type: 'not-supported', description: 'mesh not installed' },
      { type: 'skip', description: 'mesh not installed' },
    ],
    status: 'skipped',
  });
  assert.deepEqual([ns?.status, ns?.reason], ['not-supported', 'mesh not installed']);
  assert.equal(
    toOutcome({
      ...base,
      annotations: [feature, { type: 'skip', description: 'no capture' }],
      status: 'skipped',
    })?.reason,
    'no capture',
  );
  const failed = toOutcome({
    ...base,
    annotations: [
      feature,
      { type: 'evidence', description: JSON.stringify({ asserted: 'ok', seen: 'reset' }) },
    ],
    status: 'failed',
    errorMessage: '\u001b[31mE_CHECK_FAILED: boom\u001b[39m\nstack',
  });
  assert.deepEqual(
    [failed?.status, failed?.reason, failed?.evidence.seen],
    ['failed', 'E_CHECK_FAILED: boom', 'reset'],
  );
  assert.equal(
    toOutcome({
      ...base,
      annotations: [feature, { type: 'defect', description: 'passed anyway' }],
      status: 'failed',
    })?.status,
    'defect',
  );
});

test('the feature table renders every seed row with the seed columns and evidence links', () => {
  const md = renderFeatureTable(catalog, outcomes);
  assert.match(md, /\| Row \| Sidecar \| Ambient \| Ambient \+ waypoint \|/);
  for (const row of catalog.rows)
    assert.ok(md.includes(`**${row.label.replace('|', '\\|')}**`), `row ${row.id} rendered`);
  assert.match(md, /\[✅ L4 encryption\]\(evidence\/security\.encryption\/ambient\.json\)/);
  assert.match(md, /\[⛔ L4 encryption\]\(evidence\/security\.encryption\/sidecar\.json\)/);
  assert.match(md, /\[❌ L7 fault-injection\]\(evidence\/l7\.fault-injection\/ambient\.json\)/);
  assert.match(md, /➖ platform latency: bench suite/);
  assert.match(md, /## Baseline \(no mesh\)/);
  assert.match(md, /## Negative controls/);
  assert.match(md, /\| security\.encryption \| ambient \| \[⚠️ defect\]/);
});

test('JUnit marks failures, defects and skips', () => {
  const xml = renderJUnit(outcomes);
  assert.match(xml, /<testsuite name="ambient" tests="2" failures="1" skipped="0"/);
  assert.match(xml, /<failure type="failed" message="saw 418">/);
  assert.match(xml, /<skipped message="not-supported: no sidecar"\/>/);
  assert.match(xml, /<testsuite name="ambient-negative"[^>]*failures="1"/);
});

test('the reporter writes all three files and survives bad input', () => {
  const root = mkdtempSync(join(tmpdir(), 'mb-conf-'));
  const reporter = new ConformanceReporter({
    catalog,
    implementation: { organization: 'o', project: 'p', url: 'u', version: '1', contact: [] },
    runId: 'r1',
    outputRoot: root,
    logger: silentLogger,
  });
  const project = { metadata: { mode: 'ambient' } };
  const testCase = {
    title: 'security.encryption: enc',
    annotations: [
      { type: 'feature', description: 'security.encryption' },
      { type: 'expected', description: 'supported' },
    ],
    parent: { project: () => project },
    titlePath: () => ['', 'ambient', 'x.spec.ts', 'security.encryption: enc'],
  };
  const result = {
    status: 'passed',
    duration: 10,
    attachments: [{ name: '01-calls.json', contentType: 'application/json', body: Buffer.from('[]') }],
    annotations: [],
  };
  // biome-ignore lint/suspicious/noExplicitAny: minimal stand-ins for Playwright's TestCase/TestResult.
  reporter.onTestEnd(testCase as any, result as any);
  // biome-ignore lint/suspicious/noExplicitAny: a broken test case must not throw out of the reporter.
  reporter.onTestEnd({ title: 'broken' } as any, result as any);
  // biome-ignore lint/suspicious/noExplicitAny: FullResult is not read.
  reporter.onEnd({} as any);
  const dir = join(root, 'r1');
  const report = validateConformanceReport(JSON.parse(readFileSync(join(dir, 'conformance.json'), 'utf8')));
  assert.equal(report.outcomes[0]?.status, 'passed');
  assert.deepEqual(report.outcomes[0]?.evidence.links, [
    'evidence/security.encryption/ambient/01-calls.json',
  ]);
  assert.equal(report.reporterErrors.length, 1);
  assert.match(readFileSync(join(dir, 'feature-table.md'), 'utf8'), /✅ L4 encryption/);
  assert.match(
    readFileSync(join(dir, 'junit.xml'), 'utf8'),
    /<testcase classname="ambient" name="security.encryption"/,
  );
  assert.equal(readFileSync(join(dir, 'evidence/security.encryption/ambient/01-calls.json'), 'utf8'), '[]');
});

test('a test that passes on retry is passed with its first failure recorded as flaky', () => {
  const root = mkdtempSync(join(tmpdir(), 'mb-conf-'));
  const reporter = new ConformanceReporter({
    catalog,
    implementation: { organization: 'o', project: 'p', url: 'u', version: '1', contact: [] },
    runId: 'r2',
    outputRoot: root,
    logger: silentLogger,
  });
  const testCase = {
    id: 't1',
    title: 'lifecycle: jobs',
    annotations: [{ type: 'feature', description: 'security.encryption' }],
    parent: { project: () => ({ metadata: { mode: 'ambient' } }) },
    titlePath: () => ['x'],
  };
  const attempt = (retry: number, status: string) => ({
    retry,
    status,
    duration: 5,
    attachments: [],
    annotations: [],
    ...(status === 'failed' ? { error: { message: 'E_CHECK_FAILED: job failed\nstack' } } : {}),
  });
  // biome-ignore lint/suspicious/noExplicitAny: minimal stand-ins for Playwright's TestCase/TestResult.
  reporter.onTestEnd(testCase as any, attempt(0, 'failed') as any);
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  reporter.onTestEnd(testCase as any, attempt(1, 'passed') as any);
  // biome-ignore lint/suspicious/noExplicitAny: FullResult is not read.
  reporter.onEnd({} as any);
  const report = validateConformanceReport(
    JSON.parse(readFileSync(join(root, 'r2', 'conformance.json'), 'utf8')),
  );
  assert.equal(report.outcomes.length, 1);
  assert.equal(report.outcomes[0]?.status, 'passed');
  assert.equal(
    report.outcomes[0]?.reason,
    'flaky: passed on retry 1; first attempt: E_CHECK_FAILED: job failed',
  );
  assert.match(readFileSync(join(root, 'r2', 'feature-table.md'), 'utf8'), /✅ L4 encryption \(flaky\)/);
});
