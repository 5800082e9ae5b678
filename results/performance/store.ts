/**
 * @module results/performance/store
 * Reads and writes `performance.json` in a run directory. Every write validates against the schema
 * and is atomic; `complete` is whatever the caller built, and `finalizePerformanceResult` is the one
 * place that sets it to `true` (after computing the derived figures). A crash mid-run therefore
 * leaves a valid file with `complete: false`, never a partial file that claims to be complete.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MeshbenchError } from '../../core/errors.ts';
import { computeAddedLatency, summariseAddedLatency } from './added-latency.ts';
import { validatePerformanceResult } from './schema.ts';
import type { PerformanceResult } from './types.ts';
import { writeFileAtomic } from './write-atomic.ts';

/** File name of the performance results inside a run directory. */
export const PERFORMANCE_FILE = 'performance.json';

/** Validates and writes `result` to `<runDir>/performance.json` atomically; returns the path. */
export async function writePerformanceResult(runDir: string, result: PerformanceResult): Promise<string> {
  const path = join(runDir, PERFORMANCE_FILE);
  validatePerformanceResult(result, path);
  await writeFileAtomic(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

/** Derives added latency and the summary row, stamps `finishedAt`, and marks the result complete. */
export function finalizePerformanceResult(result: PerformanceResult, now = new Date()): PerformanceResult {
  const addedLatency = computeAddedLatency(result.latency);
  return {
    ...result,
    addedLatency,
    summary: summariseAddedLatency(addedLatency),
    finishedAt: now.toISOString(),
    complete: true,
  };
}

/**
 * Reads and validates `<runDir>/performance.json`. With `requireComplete` (the default) a file
 * still marked `complete: false` is refused with `E_RESULTS`.
 */
export async function readPerformanceResult(
  runDir: string,
  options: { requireComplete?: boolean } = {},
): Promise<PerformanceResult> {
  const path = join(runDir, PERFORMANCE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new MeshbenchError('E_NOT_FOUND', `no ${PERFORMANCE_FILE} in ${runDir}`, {
      cause: err,
      hint: 'run `meshbench bench` first, or pass the run directory it printed',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new MeshbenchError('E_RESULTS', `${path} is not JSON`, { cause: err });
  }
  const result = validatePerformanceResult(parsed, path);
  if ((options.requireComplete ?? true) && !result.complete) {
    throw new MeshbenchError('E_RESULTS', `${path} is marked complete: false (the run stopped early)`, {
      hint: 'rerun the benchmark; partial results are kept for inspection only',
    });
  }
  return result;
}
