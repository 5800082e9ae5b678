/**
 * @module scripts/cli/main
 * `meshbench main` — what `npm start` runs: every step of `main/steps.ts` in order (cluster up or
 * reuse, deploy the demo workload, reachability check, conformance suite, quick latency run),
 * then `main.json` with each step's findings and timing under `results/runs/<run>/`. Stops at the
 * first failing step.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { describeError } from '../../core/errors.ts';
import { contextOf } from './context.ts';
import type { MainOptions, MainRun } from './main/main-step.ts';
import { MAIN_STEPS } from './main/steps.ts';
import { intAtLeast } from './parse.ts';

interface StepRecord {
  id: string;
  outcome: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  error?: string;
}

interface MainFlags {
  nodes: number;
  fresh?: boolean;
  calls: number;
  timeout: number;
  skip?: string[];
  results: string;
}

function parseSkip(value: string, previous: string[] = []): string[] {
  const ids = value.split(',').map((s) => s.trim());
  const known = MAIN_STEPS.map((s) => s.id);
  for (const id of ids) {
    if (!known.includes(id))
      throw new InvalidArgumentError(`unknown step "${id}"; steps: ${known.join(', ')}`);
  }
  return [...previous, ...ids];
}

function runId(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

/** Registers `main`. */
export function register(program: Command): void {
  program
    .command('main')
    .description(`the main job (npm start): ${MAIN_STEPS.map((s) => s.id).join(' → ')}`)
    .option('--nodes <n>', 'nodes when the cluster is created', intAtLeast(1), 2)
    .option('--fresh', 'recreate the cluster even if a healthy one exists')
    .option('--calls <n>', 'calls per target in the reachability check', intAtLeast(1), 20)
    .option('--timeout <ms>', 'deadline of each wait', intAtLeast(1), 180_000)
    .option(
      '--skip <ids>',
      `steps to skip (comma-separated: ${MAIN_STEPS.map((s) => s.id).join(', ')})`,
      parseSkip,
    )
    .option('--results <dir>', 'where run directories are written', 'results/runs')
    .action(async function (this: Command, flags: MainFlags) {
      const cli = contextOf(this);
      const id = runId();
      const options: MainOptions = {
        nodes: flags.nodes,
        fresh: Boolean(flags.fresh),
        calls: flags.calls,
        timeoutMs: flags.timeout,
        skip: flags.skip ?? [],
        runDir: join(flags.results, id),
      };
      const run: MainRun = { cli, options, results: {} };
      const records: StepRecord[] = [];
      let failure: unknown;
      for (const step of MAIN_STEPS) {
        if (cli.signal?.aborted && failure === undefined) failure = cli.signal.reason;
        if (options.skip.includes(step.id) || failure !== undefined) {
          records.push({ id: step.id, outcome: 'skipped', durationMs: 0 });
          continue;
        }
        cli.print(`== ${step.title}`);
        const started = Date.now();
        try {
          await step.run(run);
          records.push({ id: step.id, outcome: 'passed', durationMs: Date.now() - started });
        } catch (err) {
          failure = err;
          records.push({
            id: step.id,
            outcome: 'failed',
            durationMs: Date.now() - started,
            error: describeError(err),
          });
        }
      }
      await mkdir(options.runDir, { recursive: true });
      const file = join(options.runDir, 'main.json');
      const report = {
        run: id,
        provider: cli.globals.provider,
        cluster: cli.globals.name,
        passed: failure === undefined,
        steps: records,
        results: run.results,
      };
      await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
      cli.print(`results: ${file}`);
      if (failure !== undefined) throw failure;
      cli.print('main: all steps passed');
    });
}
