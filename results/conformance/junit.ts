/**
 * @module results/conformance/junit
 * JUnit XML of conformance outcomes: one `<testsuite>` per mode (and negative-control run), one
 * `<testcase>` per feature; not-supported and skipped are `<skipped>` with the reason, defects and
 * failures are `<failure>`.
 */
import type { RowOutcome } from './model.ts';

function xml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

/** Renders outcomes as a JUnit XML document. */
export function renderJUnit(outcomes: readonly RowOutcome[], name = 'meshbench conformance'): string {
  const suites = new Map<string, RowOutcome[]>();
  for (const o of outcomes) {
    const key = `${o.mode}${o.negativeControl ? '-negative' : ''}`;
    suites.set(key, [...(suites.get(key) ?? []), o]);
  }
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = outcomes.filter((o) => o.status === 'failed' || o.status === 'defect').length;
  const skipped = outcomes.filter((o) => o.status === 'skipped' || o.status === 'not-supported').length;
  out.push(
    `<testsuites name="${xml(name)}" tests="${outcomes.length}" failures="${failures}" skipped="${skipped}">`,
  );
  for (const [suite, list] of suites) {
    const f = list.filter((o) => o.status === 'failed' || o.status === 'defect').length;
    const s = list.filter((o) => o.status === 'skipped' || o.status === 'not-supported').length;
    const time = list.reduce((a, o) => a + o.durationMs, 0) / 1000;
    out.push(
      `  <testsuite name="${xml(suite)}" tests="${list.length}" failures="${f}" skipped="${s}" time="${time.toFixed(3)}">`,
    );
    for (const o of list) {
      out.push(
        `    <testcase classname="${xml(suite)}" name="${xml(o.feature)}" time="${(o.durationMs / 1000).toFixed(3)}">`,
      );
      if (o.status === 'failed' || o.status === 'defect') {
        out.push(
          `      <failure type="${o.status}" message="${xml(o.reason ?? o.status)}">${xml(`${o.evidence.asserted}\nseen: ${o.evidence.seen ?? ''}`)}</failure>`,
        );
      } else if (o.status === 'skipped' || o.status === 'not-supported') {
        out.push(`      <skipped message="${xml(`${o.status}: ${o.reason ?? ''}`)}"/>`);
      }
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
