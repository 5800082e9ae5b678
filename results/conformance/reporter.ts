/**
 * @module results/conformance/reporter
 * The Playwright reporter of the conformance suite. Collects one outcome per feature × mode (last
 * retry wins), copies attachments into `results/runs/<run>/evidence/`, and at the end writes
 * `conformance.json` (schema-validated), `junit.xml` and `feature-table.md`. Every hook and every
 * writer is guarded: a reporter error is recorded in the report and logged, never aborts the run.
 * Playwright loads reporters by default export; the class is also a named export.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { createLogger, type Logger } from '../../core/logger.ts';
import { readEnvironment } from './environment-file.ts';
import { evidencePath, renderFeatureTable } from './feature-table.ts';
import { renderJUnit } from './junit.ts';
import { type FeatureCatalog, MODES, type Mode, type RowOutcome } from './model.ts';
import { toOutcome } from './outcome.ts';
import { buildReport, type ImplementationBlock } from './report.ts';
import { validateConformanceReport } from './schema.ts';

/** Options given in playwright.config.ts (plain data: the reporter never imports the suite). */
export interface ConformanceReporterOptions {
  catalog: FeatureCatalog;
  implementation: ImplementationBlock;
  runId: string;
  /** Default `results/runs`. */
  outputRoot?: string;
  /** A JSON file (the conformance session) merged into `environment`. */
  environmentFile?: string;
  logger?: Logger;
}

/** Writes the conformance results of a run. */
export class ConformanceReporter implements Reporter {
  private readonly outcomes = new Map<string, RowOutcome>();
  private readonly errors: string[] = [];
  private readonly firstFailure = new Map<string, string>();
  private readonly dir: string;
  private readonly logger: Logger;

  constructor(private readonly options: ConformanceReporterOptions) {
    this.dir = resolve(options.outputRoot ?? join('results', 'runs'), options.runId);
    this.logger =
      options.logger ?? createLogger({ format: 'text' }).child({ component: 'conformance-reporter' });
  }

  printsToStdio(): boolean {
    return false;
  }

  /** The run directory. */
  get outputDir(): string {
    return this.dir;
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      const message = `${what}: ${(err as Error)?.message ?? String(err)}`;
      this.errors.push(message);
      this.logger.warn('conformance reporter error (run continues)', { error: message });
    }
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    this.guard(`collecting ${test.title}`, () => {
      if (result.status !== 'passed' && result.status !== 'skipped' && !this.firstFailure.has(test.id)) {
        this.firstFailure.set(
          test.id,
          (result.error?.message ?? result.status).split('\n')[0]!.slice(0, 300),
        );
      }
      const project = test.parent.project();
      const meta = (project?.metadata ?? {}) as { mode?: string; negativeControl?: boolean };
      const mode = MODES.find((m) => m === meta.mode) as Mode | undefined;
      if (!mode) return;
      const negativeControl = meta.negativeControl === true;
      // Runtime annotations appear on both the test and the result in recent Playwright: keep one of each.
      const seen = new Set<string>();
      const annotations = [...test.annotations, ...(result.annotations ?? [])].filter((a) => {
        const key = `${a.type}\u0000${a.description ?? ''}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      const probe = toOutcome({
        title: test.title,
        mode,
        negativeControl,
        annotations,
        status: result.status,
        durationMs: result.duration,
        links: [],
      });
      if (!probe) return;
      const links = this.copyAttachments(probe, result);
      const outcome = toOutcome({
        title: test.titlePath().filter(Boolean).join(' › '),
        mode,
        negativeControl,
        annotations,
        status: result.status,
        ...(result.error?.message ? { errorMessage: result.error.message } : {}),
        durationMs: result.duration,
        links,
      })!;
      const first = this.firstFailure.get(test.id);
      if (outcome.status === 'passed' && result.retry > 0 && first) {
        outcome.reason = `flaky: passed on retry ${result.retry}; first attempt: ${first}`;
      }
      this.outcomes.set(`${outcome.feature}|${mode}|${negativeControl}`, outcome);
    });
  }

  private copyAttachments(o: RowOutcome, result: TestResult): string[] {
    const links: string[] = [];
    const base = evidencePath(o).replace(/\.json$/, '');
    for (const a of result.attachments) {
      this.guard(`attachment ${a.name}`, () => {
        const rel = `${base}/${a.name.replace(/[^A-Za-z0-9._-]+/g, '-')}`;
        const target = join(this.dir, rel);
        mkdirSync(dirname(target), { recursive: true });
        if (a.path) copyFileSync(a.path, target);
        else if (a.body) writeFileSync(target, a.body);
        else return;
        links.push(rel);
      });
    }
    return links;
  }

  onEnd(_result: FullResult): void {
    const outcomes = [...this.outcomes.values()];
    if (outcomes.length === 0) return;
    this.guard('creating the run directory', () => mkdirSync(this.dir, { recursive: true }));
    for (const o of outcomes) {
      this.guard(`evidence of ${o.feature}`, () => {
        const file = join(this.dir, evidencePath(o));
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, `${JSON.stringify(o, null, 2)}\n`);
      });
    }
    this.guard('feature-table.md', () => {
      writeFileSync(join(this.dir, 'feature-table.md'), renderFeatureTable(this.options.catalog, outcomes));
    });
    this.guard('junit.xml', () => writeFileSync(join(this.dir, 'junit.xml'), renderJUnit(outcomes)));
    this.guard('conformance.json', () => {
      const report = buildReport({
        run: this.options.runId,
        date: new Date(),
        implementation: this.options.implementation,
        environment: readEnvironment(this.options.environmentFile),
        catalog: this.options.catalog,
        outcomes,
        reporterErrors: this.errors,
      });
      try {
        validateConformanceReport(report);
      } finally {
        writeFileSync(join(this.dir, 'conformance.json'), `${JSON.stringify(report, null, 2)}\n`);
      }
    });
    this.logger.info('conformance results written', {
      dir: this.dir,
      outcomes: outcomes.length,
      errors: this.errors.length,
    });
  }
}

export default ConformanceReporter;
