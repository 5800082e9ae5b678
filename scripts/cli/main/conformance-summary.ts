/**
 * @module scripts/cli/main/conformance-summary
 * Reads what the conformance step needs from a finished run: `conformance.json` (schema-checked),
 * its counts per mode as one line, and Playwright's progress from its `list` reporter output.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mode, OutcomeStatus, RowOutcome } from '../../../results/conformance/model.ts';
import type { ConformanceReport } from '../../../results/conformance/report.ts';
import { validateConformanceReport } from '../../../results/conformance/schema.ts';

/** Outcome counts of one mode (positive runs only). */
export type ModeCounts = { mode: Mode } & Record<OutcomeStatus, number>;

const ORDER: readonly OutcomeStatus[] = ['passed', 'failed', 'defect', 'not-supported', 'skipped'];

/** Counts per mode, in the report's mode order; negative controls are left out. */
export function countByMode(modes: readonly Mode[], outcomes: readonly RowOutcome[]): ModeCounts[] {
  return modes.map((mode) => {
    const counts: ModeCounts = { mode, passed: 0, failed: 0, skipped: 0, 'not-supported': 0, defect: 0 };
    for (const o of outcomes) if (o.mode === mode && !o.negativeControl) counts[o.status]++;
    return counts;
  });
}

/** `baseline 26 passed · ambient 30 passed, 1 failed, 7 not-supported · ...` (zero counts left out). */
export function summaryLine(counts: readonly ModeCounts[]): string {
  return counts
    .map((c) => {
      const parts = ORDER.filter((s) => c[s] > 0).map((s) => `${c[s]} ${s}`);
      return `${c.mode} ${parts.join(', ') || 'nothing run'}`;
    })
    .join(' · ');
}

/** The run's `conformance.json`. */
export async function readConformanceReport(runDir: string): Promise<ConformanceReport> {
  return validateConformanceReport(JSON.parse(await readFile(join(runDir, 'conformance.json'), 'utf8')));
}

/** Tracks Playwright `list` reporter output: `Running N tests`, then one line per finished test. */
export class ListProgress {
  total = 0;
  done = 0;
  failed = 0;
  private partial = '';

  /** Feeds a chunk of output; returns true when a test finished in it. */
  feed(chunk: string): boolean {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    let finished = false;
    for (const raw of lines) {
      const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
      const running = /^Running (\d+) tests?/.exec(line);
      if (running) this.total = Number(running[1]);
      const mark = /^\s+(✓|✘|-|ok|x)\s+\d+\s/.exec(line);
      if (!mark) continue;
      finished = true;
      if (/\(retry #\d+\)/.test(line)) continue;
      this.done++;
      if (mark[1] === '✘' || mark[1] === 'x') this.failed++;
    }
    return finished;
  }
}
