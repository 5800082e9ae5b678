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
import { measureInterleaved } from './mode-set.ts';
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
  const { points, skipped } = await measureInterleaved(
    cluster,
    withBaseline(options.modes),
    { mesh: options.mesh, logger, signal: options.signal, prefix: 'mb-scen' },
    {
      repetitions,
      items: scenarios,
      label: (s) => s.name,
      signal: options.signal,
      onProgress: options.onProgress,
    },
    async (d, scenario, rep) => {
      const { outcome, json } = await runScenarioInPod(
        cluster,
        d.client,
        scenario,
        new URL(d.httpUrl).origin,
        {
          durationSeconds: seconds,
          ...(options.signal ? { signal: options.signal } : {}),
        },
      );
      const {
        tool: _tool,
        runType: _runType,
        minMs: _min,
        avgMs: _avg,
        maxMs: _max,
        bytesSent: _s,
        bytesReceived: _r,
        ...sample
      } = outcome.sample;
      const point: ScenarioPoint = {
        ...sample,
        mode: d.mode,
        scenario: scenario.name,
        repetition: rep,
        tool: 'autocannon',
        thresholds: outcome.thresholds,
        ok: outcome.ok,
      };
      logger.info('scenario point', {
        mode: d.mode,
        scenario: scenario.name,
        p99Ms: point.p99Ms,
        ok: point.ok,
      });
      await options.onRawJson?.(point, json);
      return point;
    },
  );
  if (!points.some((p) => p.okCount > 0)) {
    throw new MeshbenchError('E_NO_SAMPLES', 'the scenario suite got no successful response in any mode');
  }
  return { scenarios: points, skippedModes: skipped };
}
