/**
 * @module scripts/cli/conformance
 * `meshbench conformance [--mode M]... [--row ID]... [--negative-controls]`: runs the conformance
 * suite (Playwright) for the chosen modes and rows, reusing the cluster named by `--name` when one is
 * given (else the suite's global setup creates one and removes it after), and prints where the
 * results are (`results/runs/<run>/conformance.json`, `junit.xml`, `feature-table.md`).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { type Command, InvalidArgumentError } from 'commander';
import { MeshbenchError } from '../../core/errors.ts';
import { MODES, type Mode } from '../../results/conformance/model.ts';
import { contextOf } from './context.ts';

/** Flags of the command. */
export interface ConformanceFlags {
  mode: Mode[];
  row: string[];
  negativeControls: boolean;
  workers?: number;
}

function collectMode(value: string, previous: Mode[] = []): Mode[] {
  const mode = MODES.find((m) => m === value);
  if (!mode) throw new InvalidArgumentError(`mode "${value}" is not one of ${MODES.join(', ')}`);
  return [...previous, mode];
}

function collectRow(value: string, previous: string[] = []): string[] {
  if (!/^[a-z0-9]+(\.[a-z0-9-]+)+$/.test(value)) {
    throw new InvalidArgumentError(`row "${value}" is not a row id like security.encryption`);
  }
  return [...previous, value];
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

/** Registers `meshbench conformance`. */
export function register(program: Command): void {
  program
    .command('conformance')
    .description('run the conformance suite: one test per feature row, per data-plane mode')
    .option(
      '--mode <mode>',
      `data-plane mode to run (repeatable): ${MODES.join(', ')}; default all`,
      collectMode,
      [],
    )
    .option('--row <id>', 'only this feature row (repeatable), e.g. security.encryption', collectRow, [])
    .option(
      '--negative-controls',
      'also run each row with its feature removed (the assertion must fail)',
      false,
    )
    .option('--workers <n>', 'parallel Playwright workers', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${v}" is not a positive integer`);
      return n;
    })
    .action(async function (this: Command, flags: ConformanceFlags) {
      const ctx = contextOf(this);
      const reuse =
        this.getOptionValueSourceWithGlobals('name') !== 'default' || ctx.io.env.MESHBENCH_CLUSTER;
      const env: Record<string, string> = {
        ...(process.env as Record<string, string>),
        ...(Object.fromEntries(Object.entries(ctx.io.env).filter(([, v]) => v !== undefined)) as Record<
          string,
          string
        >),
        MESHBENCH_PROVIDER: ctx.globals.provider,
      };
      if (reuse) env.MESHBENCH_CLUSTER = ctx.globals.name;
      if (flags.negativeControls) env.MESHBENCH_NEGATIVE_CONTROLS = '1';
      env.MESHBENCH_RUN_ID ||= `${new Date()
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z')}-conformance`;
      const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
      const args = playwrightArgs(flags);
      ctx.logger.debug('running playwright', { args });
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.on('data', (b: Buffer) => ctx.io.stdout.write(b.toString()));
        child.stderr.on('data', (b: Buffer) => ctx.io.stderr.write(b.toString()));
        ctx.signal?.addEventListener('abort', () => child.kill('SIGINT'), { once: true });
        child.on('error', reject);
        child.on('close', (c) => resolve(c ?? 1));
      });
      ctx.print(
        `results: results/runs/${env.MESHBENCH_RUN_ID}/ (conformance.json, junit.xml, feature-table.md)`,
      );
      if (code !== 0) {
        throw new MeshbenchError('E_CHECK_FAILED', `conformance run failed (playwright exit ${code})`, {
          hint: `see results/runs/${env.MESHBENCH_RUN_ID}/feature-table.md and the evidence it links`,
        });
      }
    });
}
