/**
 * @module suites/performance/latency-suite
 * The latency suite, Istio's method: fortio client and server pods on different nodes, HTTP/1.1,
 * 1 KB payload, 1000 qps, `-uniform -nocatchup`, connections 2..64; modes interleaved and repeated
 * within one run (repetition → connection count → mode), so drift hits every mode alike. Returns
 * the raw points; added latency over baseline is derived from them (results/performance).
 */
import type { Cluster, MeshInfo } from '../../clusters/cluster.ts';
import { MeshbenchError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import type { LatencyPoint, LatencySettings, Mode, SkippedMode } from '../../results/performance/types.ts';
import { fortioVersion, runFortioLoadRaw } from './fortio-driver.ts';
import { deployModes } from './mode-set.ts';
import { withBaseline } from './modes.ts';
import { type Profile, type ProfileName, resolveProfile } from './profiles.ts';

/** Progress of a suite: `done` of `total` load points. */
export interface SuiteProgress {
  step: string;
  done: number;
  total: number;
}

export interface LatencySuiteOptions {
  modes: readonly Mode[];
  profile: ProfileName | Profile;
  /** Override the profile's connection counts, duration or repetitions. */
  connections?: number[];
  durationSeconds?: number;
  repetitions?: number;
  mesh?: MeshInfo | undefined;
  /** Deadline for a waypoint Gateway to become ready (default 120 s). */
  waypointTimeoutMs?: number | undefined;
  signal?: AbortSignal;
  logger?: Logger;
  onProgress?: (p: SuiteProgress) => void;
  /** Called after every point (persist partial results here). */
  onPoint?: (point: LatencyPoint) => void | Promise<void>;
  /** Called with fortio's own JSON for every point (results keep fortio's format). */
  onFortioJson?: (point: LatencyPoint, json: string) => void | Promise<void>;
}

export interface LatencySuiteResult {
  settings: LatencySettings;
  latency: LatencyPoint[];
  skippedModes: SkippedMode[];
  fortioVersion: string;
}

/** Runs the latency suite; throws `E_NO_SAMPLES` when no point carried a sample. */
export async function runLatencySuite(
  cluster: Cluster,
  options: LatencySuiteOptions,
): Promise<LatencySuiteResult> {
  const logger = options.logger ?? silentLogger;
  const profile = resolveProfile(options.profile);
  const connections = options.connections ?? profile.connections;
  const durationSeconds = options.durationSeconds ?? profile.durationSeconds;
  const repetitions = options.repetitions ?? profile.repetitions;
  const modes: Mode[] = withBaseline(options.modes);
  if (!cluster.capabilities.has('exec')) {
    throw new MeshbenchError(
      'E_UNSUPPORTED',
      `cluster ${cluster.name} (provider ${cluster.provider}) cannot exec in pods`,
      {
        hint: 'the latency suite runs fortio load in the client pod through Cluster.exec',
      },
    );
  }
  const set = await deployModes(cluster, modes, {
    mesh: options.mesh,
    logger,
    signal: options.signal,
    waypointTimeoutMs: options.waypointTimeoutMs,
    onProgress: (step) => options.onProgress?.({ step, done: 0, total: 0 }),
  });
  try {
    if (!set.deployments.some((d) => d.mode === 'baseline')) {
      const why = set.skipped.find((s) => s.mode === 'baseline')?.reason ?? 'unknown';
      throw new MeshbenchError(
        'E_UNSUPPORTED',
        `baseline could not be deployed, so nothing can be compared: ${why}`,
      );
    }
    for (const d of set.deployments.filter((x) => !x.crossNode)) {
      logger.warn('client and server share a node; Istio’s method puts them on different nodes', {
        mode: d.mode,
        node: d.server.node,
      });
    }
    const total = repetitions * connections.length * set.deployments.length;
    const latency: LatencyPoint[] = [];
    let done = 0;
    for (let repetition = 0; repetition < repetitions; repetition++) {
      for (const c of connections) {
        for (const d of set.deployments) {
          options.signal?.throwIfAborted();
          const step = `${d.mode} c=${c} rep ${repetition + 1}/${repetitions}`;
          options.onProgress?.({ step, done, total });
          const { sample, json } = await runFortioLoadRaw(cluster, d.client, {
            url: d.httpUrl,
            qps: profile.qps,
            connections: c,
            durationSeconds,
            payloadBytes: profile.payloadBytes,
            uniform: true,
            noCatchUp: true,
            resolutionSeconds: profile.resolutionSeconds,
            ...(options.signal ? { signal: options.signal } : {}),
          });
          const point: LatencyPoint = {
            mode: d.mode,
            connections: c,
            repetition,
            tool: 'fortio',
            startedAt: sample.startedAt,
            qpsRequested: sample.qpsRequested,
            qpsActual: sample.qpsActual,
            durationSeconds: sample.durationSeconds,
            sampleCount: sample.sampleCount,
            okCount: sample.okCount,
            minMs: sample.minMs,
            avgMs: sample.avgMs,
            maxMs: sample.maxMs,
            p50Ms: sample.p50Ms,
            p90Ms: sample.p90Ms,
            p99Ms: sample.p99Ms,
            p999Ms: sample.p999Ms,
            errorsByCode: sample.errorsByCode,
          };
          latency.push(point);
          done++;
          logger.info('latency point', {
            mode: d.mode,
            connections: c,
            repetition,
            p90Ms: point.p90Ms,
            p99Ms: point.p99Ms,
          });
          await options.onFortioJson?.(point, json);
          await options.onPoint?.(point);
          options.onProgress?.({ step, done, total });
        }
      }
    }
    if (!latency.some((p) => p.sampleCount > 0)) {
      throw new MeshbenchError('E_NO_SAMPLES', 'the latency suite recorded no samples in any mode');
    }
    const first = set.deployments[0]!;
    return {
      settings: {
        profile: profile.name,
        protocol: 'http/1.1',
        payloadBytes: profile.payloadBytes,
        qps: profile.qps,
        connections,
        durationSeconds,
        repetitions,
        uniform: true,
        noCatchUp: true,
        resolutionSeconds: profile.resolutionSeconds,
        crossNode: set.deployments.every((d) => d.crossNode),
      },
      latency,
      skippedModes: set.skipped,
      fortioVersion: await fortioVersion(cluster, first.client),
    };
  } finally {
    await set.teardown();
  }
}
