/**
 * @module suites/performance/scenario-suite
 * Scripted L7 scenarios per mode: each scenario runs from the mode's client pod (autocannon, see
 * `scenario-driver.ts`) against the fortio server's Service, modes interleaved within each
 * repetition so a noisy machine affects them alike. autocannon's own JSON of every run is handed to
 * `onRawJson` to be kept beside the results.
 */
import type { Cluster, MeshInfo } from '../../clusters/cluster.ts';
import { MeshbenchError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import type { Mode, ScenarioPoint, SkippedMode } from '../../results/performance/types.ts';
import type { SuiteProgress } from './latency-suite.ts';
import { deployModes } from './mode-set.ts';
import { withBaseline } from './modes.ts';
import { type Profile, type ProfileName, resolveProfile } from './profiles.ts';
import type { Scenario } from './scenario.ts';
import { runScenarioInPod } from './scenario-driver.ts';
import { SCENARIOS } from './scenarios/index.ts';

export interface ScenarioSuiteOptions {
  modes: readonly Mode[];
  profile: ProfileName | Profile;
  scenarios?: readonly Scenario[];
  durationSeconds?: number;
  repetitions?: number;
  mesh?: MeshInfo | undefined;
  signal?: AbortSignal;
  logger?: Logger;
  onProgress?: (p: SuiteProgress) => void;
  onRawJson?: (point: ScenarioPoint, json: string) => Promise<unknown> | undefined;
}

export interface ScenarioSuiteResult {
  scenarios: ScenarioPoint[];
  skippedModes: SkippedMode[];
}

/** Runs every scenario in every available mode, interleaved by repetition. */
export async function runScenarioSuite(
  cluster: Cluster,
  options: ScenarioSuiteOptions,
): Promise<ScenarioSuiteResult> {
  const logger = options.logger ?? silentLogger;
  const profile = resolveProfile(options.profile);
  const scenarios = options.scenarios ?? Object.values(SCENARIOS);
  const seconds = options.durationSeconds ?? profile.scenarioSeconds;
  const repetitions = options.repetitions ?? 1;
  const set = await deployModes(cluster, withBaseline(options.modes), {
    mesh: options.mesh,
    logger,
    signal: options.signal,
    prefix: 'mb-scen',
  });
  try {
    const points: ScenarioPoint[] = [];
    const total = repetitions * scenarios.length * set.deployments.length;
    for (let rep = 0; rep < repetitions; rep++) {
      for (const scenario of scenarios) {
        for (const d of set.deployments) {
          options.signal?.throwIfAborted();
          options.onProgress?.({ step: `${d.mode} ${scenario.name}`, done: points.length, total });
          const baseUrl = new URL(d.httpUrl).origin;
          const { outcome, json } = await runScenarioInPod(cluster, d.client, scenario, baseUrl, {
            durationSeconds: seconds,
            ...(options.signal ? { signal: options.signal } : {}),
          });
          const s = outcome.sample;
          const point: ScenarioPoint = {
            mode: d.mode,
            scenario: scenario.name,
            repetition: rep,
            tool: 'autocannon',
            startedAt: s.startedAt,
            qpsRequested: s.qpsRequested,
            qpsActual: s.qpsActual,
            durationSeconds: s.durationSeconds,
            connections: s.connections,
            sampleCount: s.sampleCount,
            okCount: s.okCount,
            p50Ms: s.p50Ms,
            p90Ms: s.p90Ms,
            p99Ms: s.p99Ms,
            p999Ms: s.p999Ms,
            errorsByCode: s.errorsByCode,
            thresholds: outcome.thresholds,
            ok: outcome.ok,
          };
          logger.info('scenario point', {
            mode: d.mode,
            scenario: scenario.name,
            p99Ms: s.p99Ms,
            ok: outcome.ok,
          });
          await options.onRawJson?.(point, json);
          points.push(point);
        }
      }
    }
    if (!points.some((p) => p.okCount > 0)) {
      throw new MeshbenchError('E_NO_SAMPLES', 'the scenario suite got no successful response in any mode');
    }
    options.onProgress?.({ step: 'done', done: total, total });
    return { scenarios: points, skippedModes: set.skipped };
  } finally {
    await set.teardown();
  }
}
