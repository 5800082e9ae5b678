/**
 * @module scripts/cli/conformance-run
 * Runs the conformance suite (Playwright, `playwright.config.ts`) as a child process: the one code
 * path shared by `meshbench conformance` and the `conformance` step of `meshbench main`. With
 * `cluster` set, the suite's global setup reuses that cluster (`MESHBENCH_CLUSTER`) instead of
 * creating one; the provider always comes from `--provider` (`MESHBENCH_PROVIDER`).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MODES, type Mode } from '../../results/conformance/model.ts';
import type { CliContext } from './context.ts';

/** What to run. */
export interface ConformanceFlags {
  mode: Mode[];
  row: string[];
  negativeControls: boolean;
  workers?: number;
}

/** How to run it. */
export interface ConformanceRunOptions {
  /** Reuse this cluster (else the suite creates one and removes it after). */
  cluster?: string | undefined;
  /** Extra environment for the suite. */
  env?: Record<string, string>;
  /** Receives Playwright's output; default: written through to the context's streams. */
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
}

/** Where a run went and how Playwright exited. */
export interface ConformanceRun {
  runId: string;
  /** `results/runs/<runId>` (conformance.json, junit.xml, feature-table.md, evidence/). */
  runDir: string;
  exitCode: number;
}

/** The Playwright arguments for the flags (pure, for tests). */
export function playwrightArgs(flags: ConformanceFlags): string[] {
  const args = ['test'];
  const modes = flags.mode.length ? flags.mode : [...MODES];
  for (const m of modes) args.push('--project', m);
  if (flags.negativeControls) for (const m of modes) args.push('--project', `${m}-negative`);
  if (flags.row.length) {
    const escaped = flags.row.map((r) => r.replace(/\./g, '\\.'));
    args.push('--grep', `(^|\\s)(${escaped.join('|')}): `);
  }
  if (flags.workers !== undefined) args.push('--workers', String(flags.workers));
  return args;
}

/** A conformance run id: `<UTC timestamp>-conformance`, as playwright.config.ts makes it. */
export function conformanceRunId(now = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-conformance`;
}

/** Runs the suite; resolves with Playwright's exit code (never throws on failed tests). */
export async function runConformanceSuite(
  ctx: CliContext,
  flags: ConformanceFlags,
  options: ConformanceRunOptions = {},
): Promise<ConformanceRun> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...(Object.fromEntries(Object.entries(ctx.io.env).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >),
    ...options.env,
    MESHBENCH_PROVIDER: ctx.globals.provider,
  };
  if (options.cluster) env.MESHBENCH_CLUSTER = options.cluster;
  if (flags.negativeControls) env.MESHBENCH_NEGATIVE_CONTROLS = '1';
  env.MESHBENCH_RUN_ID ||= conformanceRunId();
  const runId = env.MESHBENCH_RUN_ID;
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
  const args = playwrightArgs(flags);
  ctx.logger.debug('running playwright', { args });
  const output =
    options.onOutput ??
    ((text: string, stream: 'stdout' | 'stderr') =>
      (stream === 'stdout' ? ctx.io.stdout : ctx.io.stderr).write(text));
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (b: Buffer) => output(b.toString(), 'stdout'));
    child.stderr.on('data', (b: Buffer) => output(b.toString(), 'stderr'));
    const stop = () => child.kill('SIGINT');
    ctx.signal?.addEventListener('abort', stop, { once: true });
    child.on('error', (err) => {
      ctx.signal?.removeEventListener('abort', stop);
      reject(err);
    });
    child.on('close', (c) => {
      ctx.signal?.removeEventListener('abort', stop);
      resolve(c ?? 1);
    });
  });
  return { runId, runDir: join('results', 'runs', runId), exitCode };
}
