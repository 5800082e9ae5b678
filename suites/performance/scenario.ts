/**
 * @module suites/performance/scenario
 * Scripted L7 scenarios: a scenario is a TypeScript file exporting a `Scenario` (a sequence of
 * HTTP requests, a rate, connections, a duration and thresholds), run by autocannon (MIT). k6 is
 * AGPL-3.0 and may not be used here; this is its replacement for meshbench's needs. The suite runs
 * scenarios inside a client pod (`scenario-runner.ts`, through `Cluster.exec`), keeps autocannon's
 * own JSON, and turns it into an outcome here. autocannon's latency histogram counts whole
 * milliseconds, so scenario percentiles are coarse: sub-millisecond mesh overhead is the latency
 * suite's job (fortio, 10 µs resolution); scenarios show L7 behaviour and gross cost.
 */
import autocannon from 'autocannon';
import { MeshbenchError } from '../../core/errors.ts';
import { type AutocannonLike, fromAutocannon } from '../../results/performance/autocannon-result.ts';
import type { LoadSample } from '../../results/performance/load-sample.ts';

/** One request of a scenario's sequence (sent in order, round-robin, on every connection). */
export interface ScenarioRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Pass/fail limits checked after the run (like k6 thresholds). */
export interface ScenarioThresholds {
  p99Ms?: number;
  p90Ms?: number;
  /** Maximum fraction of non-2xx or failed requests, 0..1. */
  errorRate?: number;
  /** Minimum achieved requests per second. */
  minRps?: number;
}

export interface Scenario {
  name: string;
  description: string;
  requests: ScenarioRequest[];
  connections: number;
  durationSeconds: number;
  /** Overall request rate; omit for as fast as possible. */
  rps?: number;
  thresholds?: ScenarioThresholds;
}

export type ThresholdResults = Record<string, { limit: number; actual: number; ok: boolean }>;

export interface ScenarioOutcome {
  scenario: string;
  sample: LoadSample;
  /** Threshold → ok. */
  thresholds: ThresholdResults;
  ok: boolean;
}

/** Checks a sample against thresholds. */
export function checkThresholds(sample: LoadSample, t: ScenarioThresholds = {}): ThresholdResults {
  const out: ThresholdResults = {};
  const errors = Object.values(sample.errorsByCode).reduce((a, b) => a + b, 0);
  const errorRate = sample.okCount + errors > 0 ? errors / (sample.okCount + errors) : 1;
  if (t.p99Ms !== undefined)
    out['p99Ms'] = { limit: t.p99Ms, actual: sample.p99Ms, ok: sample.p99Ms <= t.p99Ms };
  if (t.p90Ms !== undefined)
    out['p90Ms'] = { limit: t.p90Ms, actual: sample.p90Ms, ok: sample.p90Ms <= t.p90Ms };
  if (t.errorRate !== undefined)
    out['errorRate'] = { limit: t.errorRate, actual: errorRate, ok: errorRate <= t.errorRate };
  if (t.minRps !== undefined)
    out['minRps'] = { limit: t.minRps, actual: sample.qpsActual, ok: sample.qpsActual >= t.minRps };
  return out;
}

/** autocannon's options for `scenario` against `baseUrl` (e.g. `http://198.19.0.12:8080`). */
export function autocannonOptions(scenario: Scenario, baseUrl: string): autocannon.Options {
  if (scenario.requests.length === 0) {
    throw new MeshbenchError('E_FLAG', `scenario ${scenario.name}: requests is empty`, {
      hint: 'give at least one request',
    });
  }
  return {
    url: baseUrl,
    connections: scenario.connections,
    duration: scenario.durationSeconds,
    ...(scenario.rps ? { overallRate: scenario.rps } : {}),
    requests: scenario.requests.map((r) => ({
      method: r.method ?? 'GET',
      path: r.path,
      ...(r.headers ? { headers: r.headers } : {}),
      ...(r.body !== undefined ? { body: r.body } : {}),
    })),
  };
}

/** Runs autocannon for `scenario` from this process and returns its result as autocannon gives it. */
export async function runAutocannon(
  scenario: Scenario,
  baseUrl: string,
  signal?: AbortSignal,
): Promise<autocannon.Result> {
  // autocannon returns its tracker (an EventEmitter with stop()) made thenable
  const instance = autocannon(autocannonOptions(scenario, baseUrl)) as Promise<autocannon.Result> & {
    stop(): void;
  };
  const onAbort = () => instance.stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await instance;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** The outcome of `scenario` from autocannon's result (parsed from its JSON or as returned). */
export function scenarioOutcome(scenario: Scenario, raw: AutocannonLike, source?: string): ScenarioOutcome {
  const sample = fromAutocannon(raw, {
    qpsRequested: scenario.rps ?? null,
    source: source ?? `scenario ${scenario.name}`,
  });
  const thresholds = checkThresholds(sample, scenario.thresholds);
  return { scenario: scenario.name, sample, thresholds, ok: Object.values(thresholds).every((t) => t.ok) };
}

/** Runs `scenario` against `baseUrl` from this process. */
export async function runScenario(
  scenario: Scenario,
  baseUrl: string,
  signal?: AbortSignal,
): Promise<ScenarioOutcome> {
  return scenarioOutcome(scenario, await runAutocannon(scenario, baseUrl, signal));
}
