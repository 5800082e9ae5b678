/**
 * @module scripts/cli/context
 * What every command needs besides its own flags: the output streams, the environment, the
 * global options (`--provider`, `--name`, `--debug`) and a logger. The context is attached to the
 * root `Command` so that each command file keeps the one-argument `register(program)` shape.
 */
import type { Command } from 'commander';
import { createLogger, type Logger } from '../../core/logger.ts';
import type { CliIo } from './io.ts';
import { createProgress, type Progress } from './progress.ts';

export type { CliIo, CliStream } from './io.ts';

/** Options every command accepts (defined on the root program). */
export interface GlobalOptions {
  /** Provider name: `local`, `kind` or `existing` (env MESHBENCH_PROVIDER). */
  provider: string;
  /**
   * Cluster name (env MESHBENCH_CLUSTER); for `existing`, a kubeconfig context (default: the
   * kubeconfig's current context).
   */
  name: string;
  /** Print full stacks on failure and debug logs. */
  debug: boolean;
}

/** Everything a command's action receives from the CLI shell. */
export interface CliContext {
  io: CliIo;
  globals: GlobalOptions;
  logger: Logger;
  progress: Progress;
  /** Aborted on SIGINT/SIGTERM; pass it to waits and provisioning. */
  signal: AbortSignal | undefined;
  /** Writes one line to stdout. */
  print(line?: string): void;
}

const ios = new WeakMap<Command, CliIo>();

/** Attaches the streams to a root program (done once by `createProgram`). */
export function attachIo(program: Command, io: CliIo): void {
  ios.set(program, io);
}

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

/** The context for a command's action: its streams and the resolved global options. */
export function contextOf(cmd: Command): CliContext {
  const io = ios.get(rootOf(cmd));
  if (!io) throw new Error('contextOf: the program was not created by createProgram');
  const opts = cmd.optsWithGlobals() as Partial<GlobalOptions>;
  const provider = opts.provider ?? 'local';
  // For `existing` the name is a kubeconfig context: when none was given, use the current one.
  const nameGiven = cmd.getOptionValueSourceWithGlobals('name') !== 'default';
  const globals: GlobalOptions = {
    provider,
    name: provider === 'existing' && !nameGiven ? 'current' : (opts.name ?? 'meshbench'),
    debug: Boolean(opts.debug),
  };
  const logger = createLogger({
    level: globals.debug ? 'debug' : ((io.env.MESHBENCH_LOG_LEVEL as 'info' | undefined) ?? 'warn'),
    format: 'text',
    stream: io.stderr as NodeJS.WritableStream,
  });
  return {
    io,
    globals,
    logger,
    progress: createProgress(io.stderr),
    signal: io.signal,
    print: (line = '') => {
      io.stdout.write(`${line}\n`);
    },
  };
}
