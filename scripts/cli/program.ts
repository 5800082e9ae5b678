/**
 * @module scripts/cli/program
 * Builds the `meshbench` commander program (global options, every command from `index.ts`) and
 * runs it, turning any failure into ONE line `meshbench: <code>: <cause>` and an exit code:
 * 0 success, 1 failure, 2 bad usage (unknown flag, bad value, missing argument), 130 interrupted.
 */
import { Command, CommanderError, Option } from 'commander';
import { PROVIDER_NAMES } from '../../clusters/connect.ts';
import { describeError, MeshbenchError } from '../../core/errors.ts';
import { attachIo, type CliIo } from './context.ts';
import { registerCommands } from './index.ts';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** Creates the program with its global options and every registered command. */
export function createProgram(io: CliIo): Command {
  const program = new Command('meshbench');
  attachIo(program, io);
  program
    .description('Conformance and benchmark harness for ambient and sidecar service meshes.')
    .addOption(
      new Option('--provider <name>', 'cluster provider')
        .choices([...PROVIDER_NAMES])
        .env('MESHBENCH_PROVIDER')
        .default('local'),
    )
    .addOption(
      new Option(
        '--name <cluster>',
        'cluster name (for --provider existing: a kubeconfig context, default the current one)',
      )
        .env('MESHBENCH_CLUSTER')
        .default('meshbench'),
    )
    .option('--debug', 'print full stacks on failure and debug logs')
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Errors are printed once, by runCli, as `meshbench: <code>: <cause>`.
      outputError: () => {},
    });
  registerCommands(program);
  for (const cmd of allCommands(program)) {
    cmd.exitOverride();
    cmd.configureOutput(program.configureOutput());
    cmd.showSuggestionAfterError(true);
    cmd.configureHelp({ showGlobalOptions: true });
  }
  return program;
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/** Commander's own error text on one line (with its "Did you mean ...?"), minus `error: `. */
function commanderCause(err: CommanderError): string {
  return err.message
    .replace(/^error: /, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = createProgram(io);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
      if (err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync') return EXIT.usage;
      io.stderr.write(`meshbench: E_FLAG: ${commanderCause(err)} (see meshbench --help)\n`);
      return EXIT.usage;
    }
    if (io.signal?.aborted) {
      io.stderr.write(`meshbench: ${describeError(io.signal.reason)}\n`);
      return EXIT.interrupted;
    }
    const line =
      err instanceof MeshbenchError || hasErrnoCode(err)
        ? describeError(err)
        : `E_INTERNAL: ${describeError(err)}`;
    io.stderr.write(`meshbench: ${line.replace(/\s*\n\s*/g, ' ')}\n`);
    if (debug && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n${causeChain(err)}`);
    return err instanceof MeshbenchError && err.code === 'E_FLAG' ? EXIT.usage : EXIT.failure;
  }
}

function hasErrnoCode(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}

function causeChain(err: Error): string {
  let out = '';
  let cause = err.cause;
  while (cause instanceof Error) {
    out += `caused by: ${cause.stack ?? cause.message}\n`;
    cause = cause.cause;
  }
  return out;
}
