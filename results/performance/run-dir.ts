/**
 * @module results/performance/run-dir
 * Run ids and run directories: every run writes under `results/runs/<run-id>/` (gitignored).
 */
import { join, resolve } from 'node:path';
import { MeshbenchError } from '../../core/errors.ts';

/** Root of all run directories, relative to the repository. */
export const RUNS_ROOT = join('results', 'runs');

/** A sortable, filesystem-safe run id: `20261126T174000Z-perf`. */
export function newRunId(label = 'perf', now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${label.replace(/[^A-Za-z0-9._-]/g, '-')}`;
}

/**
 * Resolves a run argument: an existing path is used as is, a bare id goes under `results/runs/`.
 * Rejects ids that would escape the runs root.
 */
export function runDirFor(runOrPath: string, root = RUNS_ROOT): string {
  if (runOrPath.includes('/') || runOrPath.includes('\\')) return resolve(runOrPath);
  if (!/^[A-Za-z0-9._-]+$/.test(runOrPath) || runOrPath === '.' || runOrPath === '..') {
    throw new MeshbenchError('E_FLAG', `run id "${runOrPath}" is not a valid run id`, {
      hint: 'use the id printed by `meshbench bench` or a path to its directory',
    });
  }
  return resolve(root, runOrPath);
}
