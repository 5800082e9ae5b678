/**
 * @module results/conformance/outcome
 * Turns one finished test (its annotations, status and error) into a `RowOutcome`: the mapping from
 * Playwright's passed/failed/skipped to meshbench's passed/failed/skipped/not-supported/defect.
 * Kept free of Playwright types so it is tested with plain data.
 */
import type { Evidence, Expectation, Mode, OutcomeStatus, RowOutcome } from './model.ts';

/** The parts of a finished test the mapping reads. */
export interface FinishedTest {
  title: string;
  mode: Mode;
  negativeControl: boolean;
  annotations: readonly { type: string; description?: string }[];
  /** Playwright's status: passed, failed, timedOut, skipped, interrupted. */
  status: string;
  errorMessage?: string;
  durationMs: number;
  /** Evidence links already copied into the run directory. */
  links: string[];
}

function firstLine(text: string): string {
  const clean = text.replace(/\u001b\[[0-9;]*m/g, '');
  return (clean.split('\n').find((l) => l.trim()) ?? clean).trim().slice(0, 500);
}

/** The feature id a test proves (its `feature` annotation), if any. */
export function featureOf(t: Pick<FinishedTest, 'annotations'>): string | undefined {
  return t.annotations.find((a) => a.type === 'feature')?.description;
}

/** Maps a finished test to its outcome; `undefined` for tests that prove no feature. */
export function toOutcome(t: FinishedTest): RowOutcome | undefined {
  const feature = featureOf(t);
  if (!feature) return undefined;
  const of = (type: string) => t.annotations.filter((a) => a.type === type).map((a) => a.description ?? '');
  const evidenceEntries = of('evidence').map((d) => {
    try {
      return JSON.parse(d) as { asserted: string; seen?: string; attachment?: string };
    } catch {
      return { asserted: d };
    }
  });
  let status: OutcomeStatus;
  let reason: string | undefined;
  const notSupported = of('not-supported')[0];
  if (t.status === 'skipped') {
    status = notSupported !== undefined ? 'not-supported' : 'skipped';
    reason = notSupported ?? of('skip-reason')[0] ?? of('skip')[0] ?? 'skipped';
  } else if (t.status === 'passed') {
    status = 'passed';
    const confirmed = of('control-confirmed')[0];
    if (confirmed) reason = `negative control confirmed: ${confirmed}`;
  } else {
    const defect = of('defect')[0];
    status = defect !== undefined ? 'defect' : 'failed';
    reason = defect ?? (t.errorMessage ? firstLine(t.errorMessage) : t.status);
  }
  const evidence: Evidence = {
    asserted: evidenceEntries.map((e) => e.asserted).join('; ') || (reason ?? 'nothing asserted'),
    links: t.links,
  };
  const seen = evidenceEntries.map((e) => e.seen).filter((s) => s !== undefined);
  if (seen.length) evidence.seen = seen.join('; ');
  const expected = of('expected')[0] as Expectation | undefined;
  return {
    feature,
    mode: t.mode,
    negativeControl: t.negativeControl,
    ...(expected ? { expected } : {}),
    status,
    ...(reason !== undefined ? { reason } : {}),
    durationMs: Math.max(0, Math.round(t.durationMs)),
    evidence,
    test: t.title,
  };
}
