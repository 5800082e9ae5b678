/**
 * @module results/conformance/report
 * The conformance report (`conformance.json`), in the spirit of the Gateway API conformance report:
 * implementation, date, environment, modes, one profile per mode with core and extended results and
 * statistics, and every feature × mode outcome with its evidence. Built from collected outcomes.
 */
import type { FeatureCatalog, Mode, OutcomeStatus, RowOutcome } from './model.ts';

/** Version of the report format; bump on any incompatible change. */
export const CONFORMANCE_REPORT_VERSION = 'meshbench.dev/conformance/v1alpha1';

export interface ImplementationBlock {
  organization: string;
  project: string;
  url: string;
  version: string;
  contact: string[];
}

export interface Statistics {
  Passed: number;
  Failed: number;
  Skipped: number;
  NotSupported: number;
  Defect: number;
}

export interface LevelResult {
  result: 'success' | 'partial' | 'failure';
  statistics: Statistics;
  skippedTests: string[];
  failedTests: string[];
}

export interface ExtendedResult extends LevelResult {
  supportedFeatures: string[];
  unsupportedFeatures: string[];
}

export interface ProfileReport {
  /** `MESH-<MODE>` (negative-control runs: `MESH-<MODE>-NEGATIVE-CONTROL`). */
  name: string;
  mode: Mode;
  negativeControl: boolean;
  summary: string;
  core: LevelResult;
  extended: ExtendedResult;
}

export interface ConformanceReport {
  apiVersion: typeof CONFORMANCE_REPORT_VERSION;
  kind: 'ConformanceReport';
  run: string;
  date: string;
  implementation: ImplementationBlock;
  environment: Record<string, unknown>;
  modes: Mode[];
  seed: FeatureCatalog['seed'];
  profiles: ProfileReport[];
  outcomes: RowOutcome[];
  /** Errors a reporter hit while writing (the run itself is never aborted by them). */
  reporterErrors: string[];
}

function statistics(list: readonly RowOutcome[]): Statistics {
  const count = (s: OutcomeStatus) => list.filter((o) => o.status === s).length;
  return {
    Passed: count('passed'),
    Failed: count('failed'),
    Skipped: count('skipped'),
    NotSupported: count('not-supported'),
    Defect: count('defect'),
  };
}

function level(list: readonly RowOutcome[]): LevelResult {
  const stats = statistics(list);
  const result =
    stats.Failed + stats.Defect > 0
      ? 'failure'
      : stats.Skipped + stats.NotSupported > 0
        ? 'partial'
        : 'success';
  return {
    result,
    statistics: stats,
    skippedTests: list
      .filter((o) => o.status === 'skipped' || o.status === 'not-supported')
      .map((o) => o.feature),
    failedTests: list.filter((o) => o.status === 'failed' || o.status === 'defect').map((o) => o.feature),
  };
}

/** Inputs of `buildReport`. */
export interface BuildReportInput {
  run: string;
  date: Date;
  implementation: ImplementationBlock;
  environment: Record<string, unknown>;
  catalog: FeatureCatalog;
  outcomes: RowOutcome[];
  reporterErrors?: string[];
}

/** Groups outcomes into per-mode profiles with core/extended statistics. */
export function buildReport(input: BuildReportInput): ConformanceReport {
  const profileOf = new Map(input.catalog.features.map((f) => [f.id, f.profile]));
  const groups = new Map<string, RowOutcome[]>();
  for (const o of input.outcomes) {
    const key = `${o.mode}${o.negativeControl ? ':negative' : ''}`;
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  const profiles: ProfileReport[] = [...groups].map(([key, list]) => {
    const [mode, negative] = key.split(':') as [Mode, string | undefined];
    const core = level(list.filter((o) => profileOf.get(o.feature) === 'core'));
    const extList = list.filter((o) => profileOf.get(o.feature) !== 'core');
    const ext = level(extList);
    const s = statistics(list);
    return {
      name: `MESH-${mode.toUpperCase()}${negative ? '-NEGATIVE-CONTROL' : ''}`,
      mode,
      negativeControl: negative !== undefined,
      summary: `core ${core.result}, extended ${ext.result}: ${s.Passed} passed, ${s.Failed} failed, ${s.Defect} defects, ${s.NotSupported} not supported, ${s.Skipped} skipped`,
      core,
      extended: {
        ...ext,
        supportedFeatures: extList.filter((o) => o.status === 'passed').map((o) => o.feature),
        unsupportedFeatures: extList.filter((o) => o.status === 'not-supported').map((o) => o.feature),
      },
    };
  });
  const modes = [...new Set(input.outcomes.map((o) => o.mode))];
  return {
    apiVersion: CONFORMANCE_REPORT_VERSION,
    kind: 'ConformanceReport',
    run: input.run,
    date: input.date.toISOString(),
    implementation: input.implementation,
    environment: input.environment,
    modes,
    seed: input.catalog.seed,
    profiles,
    outcomes: input.outcomes,
    reporterErrors: input.reporterErrors ?? [],
  };
}
