/**
 * @module suites/performance/run-benchmark
 * One benchmark run end to end against a `Cluster`: the selected suites (latency first), results
 * persisted after every point as `performance.json` with `complete: false`, then finalised (added
 * latency, summary row, `complete: true`), charts rendered and the report page written. fortio's own
 * JSON of every latency point is kept beside it in `fortio/<mode>-c<connections>-r<repetition>.json`,
 * autocannon's of every scenario run in `autocannon/<mode>-<scenario>-r<repetition>.json`.
 */
import { join } from 'node:path';
import type { Cluster, MeshInfo } from '../../clusters/cluster.ts';
import { describeError, MeshbenchError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import { writePerformanceCharts } from '../../results/charts/write-charts.ts';
import { describeEnvironment, withLoadAtEnd } from '../../results/performance/environment.ts';
import { finalizePerformanceResult, writePerformanceResult } from '../../results/performance/store.ts';
import {
  type Mode,
  PERFORMANCE_SCHEMA_VERSION,
  type PerformanceResult,
} from '../../results/performance/types.ts';
import { writeFileAtomic } from '../../results/performance/write-atomic.ts';
import { writeReport } from '../../results/report/write-report.ts';
import { runLatencySuite, type SuiteProgress } from './latency-suite.ts';
import { getProfile, type ProfileName } from './profiles.ts';
import { runResourceSuite } from './resource-suite.ts';
import { autocannonVersion } from './scenario-driver.ts';
import { runScenarioSuite } from './scenario-suite.ts';
import { runThroughputSuite } from './throughput-suite.ts';

export const SUITES = ['latency', 'throughput', 'resources', 'scenarios'] as const;
export type SuiteName = (typeof SUITES)[number];

export interface BenchmarkOptions {
  runId: string;
  runDir: string;
  modes: readonly Mode[];
  profile: ProfileName;
  suites?: readonly SuiteName[];
  mesh?: MeshInfo | undefined;
  /** Override the profile (tests, smoke runs). */
  connections?: number[];
  /** Scaling steps of the resource suite (application replicas). */
  replicas?: number[];
  durationSeconds?: number;
  repetitions?: number;
  /** Deadline for a waypoint Gateway to become ready (default 120 s). */
  waypointTimeoutMs?: number;
  signal?: AbortSignal;
  logger?: Logger;
  onProgress?: (suite: SuiteName, p: SuiteProgress) => void;
}

export interface BenchmarkOutcome {
  result: PerformanceResult;
  performancePath: string;
  charts: string[];
  reportPath: string;
}

/** Runs the benchmark and writes everything under `runDir`. */
export async function runBenchmark(cluster: Cluster, options: BenchmarkOptions): Promise<BenchmarkOutcome> {
  const logger = options.logger ?? silentLogger;
  const profile = getProfile(options.profile);
  const suites = options.suites ?? ['latency'];
  let result: PerformanceResult = {
    schemaVersion: PERFORMANCE_SCHEMA_VERSION,
    kind: 'meshbench.performance',
    runId: options.runId,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    complete: false,
    environment: describeEnvironment({
      tools: {},
      mesh: options.mesh
        ? { implementation: options.mesh.implementation, version: options.mesh.version }
        : { implementation: 'none', version: '' },
      cluster: { provider: cluster.provider, name: cluster.name, nodes: 0 },
    }),
    settings: {
      profile: profile.name,
      protocol: 'http/1.1',
      payloadBytes: profile.payloadBytes,
      qps: profile.qps,
      connections: options.connections ?? profile.connections,
      durationSeconds: options.durationSeconds ?? profile.durationSeconds,
      repetitions: options.repetitions ?? profile.repetitions,
      uniform: true,
      noCatchUp: true,
      resolutionSeconds: profile.resolutionSeconds,
      crossNode: false,
    },
    skippedModes: [],
    latency: [],
    addedLatency: [],
    summary: [],
    throughput: [],
    resources: [],
    scaling: [],
  };
  const save = () => writePerformanceResult(options.runDir, result);
  await save();
  const common = {
    modes: options.modes,
    profile,
    mesh: options.mesh,
    logger,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const addSkipped = (skipped: PerformanceResult['skippedModes']) => {
    for (const s of skipped) {
      if (!result.skippedModes.some((x) => x.mode === s.mode)) result.skippedModes.push(s);
    }
  };
  if (suites.includes('latency')) {
    const latency = await runLatencySuite(cluster, {
      ...common,
      ...(options.connections ? { connections: options.connections } : {}),
      ...(options.durationSeconds ? { durationSeconds: options.durationSeconds } : {}),
      ...(options.repetitions ? { repetitions: options.repetitions } : {}),
      ...(options.waypointTimeoutMs ? { waypointTimeoutMs: options.waypointTimeoutMs } : {}),
      onProgress: (p) => options.onProgress?.('latency', p),
      onFortioJson: (point, json) =>
        writeFileAtomic(
          join(options.runDir, 'fortio', `${point.mode}-c${point.connections}-r${point.repetition}.json`),
          json,
        ),
      onPoint: async (point) => {
        result.latency.push(point);
        await save();
      },
    });
    result = {
      ...result,
      settings: latency.settings,
      environment: {
        ...result.environment,
        tools: { ...result.environment.tools, fortio: latency.fortioVersion },
      },
    };
    addSkipped(latency.skippedModes);
    await save();
  }
  if (suites.includes('throughput')) {
    try {
      const t = await runThroughputSuite(cluster, {
        ...common,
        onProgress: (p) => options.onProgress?.('throughput', p),
      });
      result.throughput = t.throughput;
      addSkipped(t.skippedModes);
      await save();
    } catch (err) {
      if (options.signal?.aborted) throw err;
      logger.warn('throughput suite failed', { error: describeError(err) });
    }
  }
  if (suites.includes('resources')) {
    try {
      const r = await runResourceSuite(cluster, {
        ...common,
        ...(options.replicas ? { replicas: options.replicas } : {}),
        onProgress: (p) => options.onProgress?.('resources', p),
      });
      result.resources = r.resources;
      result.scaling = r.scaling;
      addSkipped(r.skippedModes);
      await save();
    } catch (err) {
      if (options.signal?.aborted) throw err;
      logger.warn('resource suite failed', { error: describeError(err) });
    }
  }
  if (suites.includes('scenarios')) {
    try {
      const sc = await runScenarioSuite(cluster, {
        ...common,
        repetitions: options.repetitions ?? profile.repetitions,
        onProgress: (p) => options.onProgress?.('scenarios', p),
        onRawJson: (point, json) =>
          writeFileAtomic(
            join(options.runDir, 'autocannon', `${point.mode}-${point.scenario}-r${point.repetition}.json`),
            json,
          ),
      });
      result.scenarios = sc.scenarios;
      result.environment.tools = { ...result.environment.tools, autocannon: autocannonVersion() };
      addSkipped(sc.skippedModes);
      await save();
    } catch (err) {
      if (options.signal?.aborted) throw err;
      logger.warn('scenario suite failed', { error: describeError(err) });
    }
  }
  const nodeObjects = await cluster.list('Node').catch(() => []);
  result.environment.cluster.nodes = nodeObjects.length || (result.settings.crossNode ? 2 : 1);
  result = finalizePerformanceResult({ ...result, environment: withLoadAtEnd(result.environment) });
  if (result.latency.length === 0 && suites.includes('latency')) {
    throw new MeshbenchError('E_NO_SAMPLES', 'no latency point was recorded');
  }
  const performancePath = await save();
  const hasData =
    result.latency.length +
      result.throughput.length +
      result.resources.length +
      result.scaling.length +
      (result.scenarios?.length ?? 0) >
    0;
  const charts = hasData ? await writePerformanceCharts(options.runDir, result) : [];
  const reportPath = await writeReport(options.runDir, result);
  return { result, performancePath, charts: charts.map((c) => c.svgPath), reportPath };
}
