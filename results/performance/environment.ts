/**
 * @module results/performance/environment
 * Describes the machine a run measured on: CPU model, cores, kernel, Node.js, plus what the caller
 * knows (tool versions, mesh, cluster), and the machine's load average when the run started (and,
 * via `withLoadAtEnd`, when it finished): on a shared machine that says how noisy the figures are.
 */
import { cpus, loadavg, platform, release } from 'node:os';
import type { Environment } from './types.ts';

/** Builds the `environment` block of a result from this machine and the caller's facts. */
export function describeEnvironment(facts: Pick<Environment, 'tools' | 'mesh' | 'cluster'>): Environment {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: Math.max(1, cpu.length),
    kernel: release(),
    platform: platform(),
    nodeVersion: process.version,
    loadAverage: { start: roundedLoad() },
    ...facts,
  };
}

/** `environment` with the load average at the end of the run added. */
export function withLoadAtEnd(env: Environment): Environment {
  return { ...env, loadAverage: { start: env.loadAverage?.start ?? roundedLoad(), end: roundedLoad() } };
}

function roundedLoad(): [number, number, number] {
  const [a = 0, b = 0, c = 0] = loadavg();
  const r = (v: number) => Math.round(v * 100) / 100;
  return [r(a), r(b), r(c)];
}
