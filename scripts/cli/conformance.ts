/**
 * @module scripts/cli/conformance
 * `meshbench conformance [--mode M]... [--row ID]... [--negative-controls]`: runs the conformance
 * suite (Playwright) for the chosen modes and rows, reusing the cluster named by `--name` when one is
 * given (else the suite's global setup creates one and removes it after), and prints where the
 * results are (`results/runs/<run>/conformance.json`, `junit.xml`, `feature-table.md`).
 */
import { type Command, InvalidArgumentError } from 'commander';
import { MeshbenchError } from '../../core/errors.ts';
import { MODES, type Mode } from '../../results/conformance/model.ts';
import { type ConformanceFlags, runConformanceSuite } from './conformance-run.ts';
import { contextOf } from './context.ts';

export { type ConformanceFlags, playwrightArgs } from './conformance-run.ts';

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
      const run = await runConformanceSuite(ctx, flags, reuse ? { cluster: ctx.globals.name } : {});
      const code = run.exitCode;
      ctx.print(`results: ${run.runDir}/ (conformance.json, junit.xml, feature-table.md)`);
      if (code !== 0) {
        throw new MeshbenchError('E_CHECK_FAILED', `conformance run failed (playwright exit ${code})`, {
          hint: `see ${run.runDir}/feature-table.md and the evidence it links`,
        });
      }
    });
}
