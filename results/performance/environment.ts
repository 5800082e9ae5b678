/**
 * @module results/performance/environment
 * Describes the machine a run measured on: CPU model, cores, kernel, Node.js, plus what the caller
 * knows (tool versions, mesh, cluster).
 */
import { cpus, platform, release } from 'node:os';
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
    ...facts,
  };
}
