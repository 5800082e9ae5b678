/**
 * @module scripts/cli/logs
 * `meshbench logs NS/POD [-c container] [--tail N]`: prints a pod's logs.
 */
import type { Command } from 'commander';
import type { LogOptions, PodRef } from '../../clusters/cluster.ts';
import { connectTo } from './cluster-access.ts';
import { contextOf } from './context.ts';
import { intAtLeast, parsePodRef } from './parse.ts';

/** Registers `logs`. */
export function register(program: Command): void {
  program
    .command('logs')
    .description("print a pod's logs")
    .argument('<ns/pod>', 'the pod', parsePodRef)
    .option('-c, --container <name>', 'container (default: the first)')
    .option('--tail <n>', 'only the last N lines', intAtLeast(0))
    .action(async function (this: Command, pod: PodRef, opts: { container?: string; tail?: number }) {
      const ctx = contextOf(this);
      const cluster = await connectTo(ctx);
      const options: LogOptions = {
        ...(opts.container ? { container: opts.container } : {}),
        ...(opts.tail !== undefined ? { tail: opts.tail } : {}),
      };
      const text = await cluster.logs(pod, options);
      ctx.io.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
    });
}
