/**
 * @module suites/performance/scenario-driver
 * Runs a scripted scenario inside a client pod through `Cluster.exec` (the runner is
 * `scenario-runner.ts`, autocannon under Node.js) and parses autocannon's JSON from its stdout. The
 * argv builder is exported so tests and documentation show the exact command.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Cluster, PodRef } from '../../clusters/cluster.ts';
import { MeshbenchError } from '../../core/errors.ts';
import type { AutocannonLike } from '../../results/performance/autocannon-result.ts';
import { type Scenario, type ScenarioOutcome, scenarioOutcome } from './scenario.ts';

const RUNNER = fileURLToPath(new URL('./scenario-runner.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/tsx/dist/esm/index.mjs', import.meta.url));

/** The argv that runs `scenario` against `baseUrl` for `durationSeconds` (absolute paths). */
export function scenarioRunnerArgv(scenario: Scenario, baseUrl: string, durationSeconds: number): string[] {
  return [
    process.execPath,
    '--import',
    TSX,
    RUNNER,
    '--scenario',
    scenario.name,
    '--url',
    baseUrl,
    '--duration',
    String(durationSeconds),
  ];
}

/** Runs `scenario` in `pod`; returns the outcome and autocannon's JSON as written. */
export async function runScenarioInPod(
  cluster: Cluster,
  pod: PodRef,
  scenario: Scenario,
  baseUrl: string,
  options: { durationSeconds?: number; signal?: AbortSignal } = {},
): Promise<{ outcome: ScenarioOutcome; json: string }> {
  const seconds = options.durationSeconds ?? scenario.durationSeconds;
  const argv = scenarioRunnerArgv(scenario, baseUrl, seconds);
  const result = await cluster.exec(pod, argv, {
    timeoutMs: (seconds + 60) * 1000,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const where = `scenario ${scenario.name} in ${pod.namespace}/${pod.name} → ${baseUrl}`;
  if (result.exitCode !== 0 || !result.stdout.trim()) {
    const tail = result.stderr.trim().split('\n').slice(-3).join(' | ');
    throw new MeshbenchError('E_EXEC', `${where} failed (exit ${result.exitCode}): ${tail || 'no output'}`, {
      hint: 'the runner needs Node.js and this repository inside the pod (the local provider has both; on kind or an existing cluster run `meshbench bench --suite scenarios` against the local provider)',
      details: { argv, exitCode: result.exitCode },
    });
  }
  let raw: AutocannonLike;
  try {
    raw = JSON.parse(result.stdout) as AutocannonLike;
  } catch (err) {
    throw new MeshbenchError('E_RESULTS', `${where}: stdout is not autocannon JSON`, { cause: err });
  }
  return { outcome: scenarioOutcome(scenario, raw, where), json: result.stdout };
}

/** The installed autocannon version (from its package.json), or `unknown`. */
export function autocannonVersion(): string {
  try {
    const pkg = fileURLToPath(new URL('../../node_modules/autocannon/package.json', import.meta.url));
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
