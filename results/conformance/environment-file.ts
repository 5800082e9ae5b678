/**
 * @module results/conformance/environment-file
 * The `environment` block of the report: the machine, plus a JSON file the run points at (the
 * conformance session: provider, cluster, mesh version). A missing or bad file is noted, not fatal.
 */
import { readFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';

/** Machine facts plus the contents of `file` under `session`. */
export function readEnvironment(file?: string): Record<string, unknown> {
  const env: Record<string, unknown> = {
    node: process.version,
    platform: `${platform()} ${release()} ${arch()}`,
    cpus: cpus().length,
    memoryBytes: totalmem(),
  };
  if (!file) return env;
  try {
    env.session = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    env.sessionError = `cannot read ${file}: ${(err as Error).message}`;
  }
  return env;
}
