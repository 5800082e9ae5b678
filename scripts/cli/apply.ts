/**
 * @module scripts/cli/apply
 * `meshbench apply -f FILE|DIR` and `meshbench delete -f FILE|DIR`: validate every object first,
 * then create/update (or delete) them on the cluster; nothing changes if one object is invalid.
 */
import type { Command } from 'commander';
import { connectTo } from './cluster-access.ts';
import { contextOf } from './context.ts';
import { objectLabel, readManifests } from './manifest-input.ts';
import { intAtLeast } from './parse.ts';

/** Registers `apply` and `delete`. */
export function register(program: Command): void {
  program
    .command('apply')
    .description('validate and apply Kubernetes/Istio/Gateway API objects from a YAML file or directory')
    .requiredOption('-f, --file <path>', 'a YAML file or a directory of them')
    .option('--wait', 'wait until the applied objects are ready')
    .option('--timeout <ms>', 'deadline for --wait', intAtLeast(1), 120_000)
    .action(async function (this: Command, opts: { file: string; wait?: boolean; timeout: number }) {
      const ctx = contextOf(this);
      const objects = readManifests(opts.file);
      const cluster = await connectTo(ctx);
      await ctx.progress.run(`apply ${objects.length} objects`, () => cluster.apply(objects));
      for (const o of objects) ctx.print(`${objectLabel(o)} applied`);
      if (opts.wait) {
        await ctx.progress.run('wait ready', () =>
          cluster.waitReady(objects, {
            timeoutMs: opts.timeout,
            ...(ctx.signal ? { signal: ctx.signal } : {}),
          }),
        );
        ctx.print('all ready');
      }
    });

  program
    .command('delete')
    .description('delete the objects named in a YAML file or directory (missing ones are ignored)')
    .requiredOption('-f, --file <path>', 'a YAML file or a directory of them')
    .action(async function (this: Command, opts: { file: string }) {
      const ctx = contextOf(this);
      const objects = readManifests(opts.file);
      const cluster = await connectTo(ctx);
      await ctx.progress.run(`delete ${objects.length} objects`, () => cluster.delete(objects));
      for (const o of objects) ctx.print(`${objectLabel(o)} deleted`);
    });
}
