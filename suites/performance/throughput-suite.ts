/**
 * @module suites/performance/throughput-suite
 * Throughput and connection suite, per mode against baseline, with fortio (netperf's tests, done
 * with fortio's TCP-echo and HTTP modes so one tool runs everywhere):
 * - `tcp-bulk`: one connection, 64 KiB echoed as fast as possible (fortio `tcp://`, `-qps -1 -c 1`),
 *   bytes per second (like TCP_STREAM, but echoed);
 * - `tcp-rr`: one connection, 1-byte round trips as fast as possible (like TCP_RR);
 * - `http-new-connection`: one client, a new connection per HTTP request (`-keepalive=false`,
 *   like TCP_CRR).
 */
import type { Cluster, MeshInfo } from '../../clusters/cluster.ts';
import { MeshbenchError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import type { Mode, SkippedMode, ThroughputPoint, ThroughputTest } from '../../results/performance/types.ts';
import { runFortioLoad } from './fortio-driver.ts';
import type { SuiteProgress } from './latency-suite.ts';
import type { ModeDeployment } from './mode-deployment.ts';
import { measureInterleaved } from './mode-set.ts';
import { withBaseline } from './modes.ts';
import { type Profile, type ProfileName, resolveProfile } from './profiles.ts';

export const THROUGHPUT_TESTS: readonly ThroughputTest[] = ['tcp-bulk', 'tcp-rr', 'http-new-connection'];

const PAYLOAD: Record<ThroughputTest, number> = { 'tcp-bulk': 65536, 'tcp-rr': 1, 'http-new-connection': 0 };

export interface ThroughputSuiteOptions {
  modes: readonly Mode[];
  profile: ProfileName | Profile;
  tests?: readonly ThroughputTest[];
  durationSeconds?: number;
  repetitions?: number;
  mesh?: MeshInfo | undefined;
  signal?: AbortSignal;
  logger?: Logger;
  onProgress?: (p: SuiteProgress) => void;
}

export interface ThroughputSuiteResult {
  throughput: ThroughputPoint[];
  skippedModes: SkippedMode[];
}

/** Runs one throughput test from a deployed mode's client to its server. */
export async function measureThroughput(
  cluster: Cluster,
  d: ModeDeployment,
  test: ThroughputTest,
  durationSeconds: number,
  repetition: number,
  signal?: AbortSignal,
): Promise<ThroughputPoint> {
  const sample = await runFortioLoad(cluster, d.client, {
    url: test === 'http-new-connection' ? d.httpUrl : d.tcpUrl,
    qps: null,
    connections: 1,
    durationSeconds,
    payloadBytes: PAYLOAD[test],
    resolutionSeconds: 0.00001,
    ...(test === 'http-new-connection' ? { keepAlive: false } : {}),
    ...(signal ? { signal } : {}),
  });
  const seconds = sample.durationSeconds || durationSeconds;
  return {
    mode: d.mode,
    test,
    repetition,
    tool: 'fortio',
    connections: 1,
    payloadBytes: PAYLOAD[test],
    durationSeconds: sample.durationSeconds,
    ratePerSecond: sample.okCount / seconds,
    bytesPerSecond: (sample.bytesSent + sample.bytesReceived) / seconds,
    p50Ms: sample.p50Ms,
    p99Ms: sample.p99Ms,
    errorsByCode: sample.errorsByCode,
  };
}

/** Runs every test in every available mode, interleaved by repetition. */
export async function runThroughputSuite(
  cluster: Cluster,
  options: ThroughputSuiteOptions,
): Promise<ThroughputSuiteResult> {
  const logger = options.logger ?? silentLogger;
  const profile = resolveProfile(options.profile);
  const tests = options.tests ?? THROUGHPUT_TESTS;
  const seconds = options.durationSeconds ?? profile.throughputSeconds;
  const repetitions = options.repetitions ?? 1;
  const { points: throughput, skipped } = await measureInterleaved(
    cluster,
    withBaseline(options.modes),
    { mesh: options.mesh, logger, signal: options.signal, prefix: 'mb-tput' },
    { repetitions, items: tests, label: (t) => t, signal: options.signal, onProgress: options.onProgress },
    async (d, test, rep) => {
      const point = await measureThroughput(cluster, d, test, seconds, rep, options.signal);
      logger.info('throughput point', { mode: d.mode, test, ratePerSecond: point.ratePerSecond });
      return point;
    },
  );
  if (!throughput.some((p) => p.ratePerSecond > 0)) {
    throw new MeshbenchError('E_NO_SAMPLES', 'the throughput suite completed no call in any mode');
  }
  return { throughput, skippedModes: skipped };
}
