/**
 * @module suites/performance/fortio-driver
 * Runs `fortio load` inside a client pod through `Cluster.exec` and parses its JSON (written to
 * stdout with `-json -`; fortio logs go to stderr). The argv builder is exported so tests and
 * documentation show the exact command.
 */
import type { Cluster, PodRef } from '../../clusters/cluster.ts';
import { MeshbenchError } from '../../core/errors.ts';
import { FORTIO_PERCENTILES, parseFortioJson } from '../../results/performance/fortio-json.ts';
import type { LoadSample } from '../../results/performance/load-sample.ts';

/** One fortio load run. `qps: null` = as fast as possible (`-qps -1`). */
export interface FortioLoadOptions {
  url: string;
  qps: number | null;
  connections: number;
  durationSeconds: number;
  payloadBytes?: number;
  uniform?: boolean;
  noCatchUp?: boolean;
  resolutionSeconds?: number;
  /** `false` opens a new connection per request (`-keepalive=false`). */
  keepAlive?: boolean;
  signal?: AbortSignal;
}

/** The `fortio load` argv for `options` (argv[0] is `fortio`). */
export function fortioLoadArgv(options: FortioLoadOptions): string[] {
  const argv = ['fortio', 'load', '-qps', String(options.qps ?? -1), '-c', String(options.connections)];
  argv.push('-t', `${options.durationSeconds}s`);
  if (options.uniform) argv.push('-uniform');
  if (options.noCatchUp) argv.push('-nocatchup');
  if (options.payloadBytes) argv.push('-payload-size', String(options.payloadBytes));
  if (options.resolutionSeconds) argv.push('-r', String(options.resolutionSeconds));
  if (options.keepAlive === false) argv.push('-keepalive=false');
  argv.push('-p', FORTIO_PERCENTILES, '-json', '-', options.url);
  return argv;
}

/** Runs fortio in `pod` and returns the parsed sample (`E_EXEC` with fortio's stderr on failure). */
export async function runFortioLoad(
  cluster: Cluster,
  pod: PodRef,
  options: FortioLoadOptions,
): Promise<LoadSample> {
  return (await runFortioLoadRaw(cluster, pod, options)).sample;
}

/** As `runFortioLoad`, also returning fortio's JSON text as written (kept in the run directory). */
export async function runFortioLoadRaw(
  cluster: Cluster,
  pod: PodRef,
  options: FortioLoadOptions,
): Promise<{ sample: LoadSample; json: string }> {
  const argv = fortioLoadArgv(options);
  const timeoutMs = (options.durationSeconds + 60) * 1000;
  const result = await cluster.exec(pod, argv, {
    timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (result.exitCode !== 0 || !result.stdout.trim()) {
    const tail = result.stderr.trim().split('\n').slice(-5).join(' | ');
    throw new MeshbenchError(
      'E_EXEC',
      `fortio load in ${pod.namespace}/${pod.name} failed (exit ${result.exitCode}): ${tail}`,
      {
        hint: `check that ${options.url} answers from that pod (fortio curl ${options.url})`,
        details: { argv, exitCode: result.exitCode },
      },
    );
  }
  const sample = parseFortioJson(
    result.stdout,
    `fortio load in ${pod.namespace}/${pod.name} → ${options.url}`,
  );
  return { sample, json: result.stdout };
}

/** The fortio version in `pod` (`fortio version`), or `unknown`. */
export async function fortioVersion(cluster: Cluster, pod: PodRef): Promise<string> {
  try {
    const r = await cluster.exec(pod, ['fortio', 'version'], { timeoutMs: 10_000 });
    return r.exitCode === 0 ? r.stdout.trim().split(/\s/)[0] || 'unknown' : 'unknown';
  } catch {
    return 'unknown';
  }
}
