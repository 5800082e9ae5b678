/**
 * @module scripts/cli/cluster
 * `meshbench cluster up|down|status|list`: create, remove, inspect and list clusters of the
 * provider chosen by `--provider` (default `local`).
 */
import type { Command } from 'commander';
import type { ClusterSummary } from '../../clusters/cluster.ts';
import { MeshbenchError } from '../../core/errors.ts';
import { providerOf } from './cluster-access.ts';
import { type CliContext, contextOf } from './context.ts';
import { intAtLeast } from './parse.ts';
import { renderTable } from './table.ts';

function summaryRows(list: readonly ClusterSummary[]): string[][] {
  return list.map((c) => [
    c.name,
    c.provider,
    String(c.nodes),
    String(c.pods),
    c.healthy ? 'yes' : 'NO',
    c.createdAt,
  ]);
}

const SUMMARY_HEAD = ['name', 'provider', 'nodes', 'pods', 'healthy', 'created'];

/** Creates the cluster; shared with `main`. */
export async function clusterUp(ctx: CliContext, nodes: number): Promise<void> {
  const provider = await providerOf(ctx);
  const { name } = ctx.globals;
  const cluster = await ctx.progress.run(`cluster up ${name} (${provider.name}, ${nodes} nodes)`, (task) =>
    provider.up({
      name,
      nodes,
      onProgress: (step, done, total) => task.update(step, done, total),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    }),
  );
  ctx.print(`cluster "${cluster.name}" is up (provider ${cluster.provider}, ${nodes} nodes)`);
  ctx.print(`capabilities: ${[...cluster.capabilities].join(', ') || 'none'}`);
}

/** Registers `cluster` and its subcommands. */
export function register(program: Command): void {
  const cluster = program.command('cluster').description('create, remove, inspect and list clusters');

  cluster
    .command('up')
    .description('create a cluster (fails if one of that name exists; see `cluster down`)')
    .option('--nodes <n>', 'number of nodes', intAtLeast(1), 2)
    .action(async function (this: Command, opts: { nodes: number }) {
      await clusterUp(contextOf(this), opts.nodes);
    });

  cluster
    .command('down')
    .description('remove a cluster and everything it made (idempotent)')
    .action(async function (this: Command) {
      const ctx = contextOf(this);
      const provider = await providerOf(ctx);
      const { name } = ctx.globals;
      const report = await ctx.progress.run(`cluster down ${name} (${provider.name})`, () =>
        provider.down(name),
      );
      if (!report.existed) {
        ctx.print(`no cluster named "${name}" on provider ${provider.name}: nothing to remove`);
        return;
      }
      const r = report.removed;
      ctx.print(
        `cluster "${name}" removed: ${r.namespaces} namespaces, ${r.links} links, ${r.cgroups} cgroups, ` +
          `${r.processes} processes, ${r.files} files`,
      );
    });

  cluster
    .command('status')
    .description('show one cluster: nodes, pods, health, capabilities')
    .action(async function (this: Command) {
      const ctx = contextOf(this);
      const provider = await providerOf(ctx);
      const { name } = ctx.globals;
      const list = await provider.list();
      // `existing` accepts `current` for the kubeconfig's current context: resolve it by connecting.
      const current =
        name === 'current' && provider.name === 'existing' ? await provider.connect(name) : undefined;
      const found = list.find((c) => c.name === (current?.name ?? name));
      if (!found) {
        throw new MeshbenchError(
          'E_CLUSTER_NOT_FOUND',
          `no cluster named "${name}" on provider ${provider.name}`,
          {
            hint: `create it with: meshbench --provider ${provider.name} cluster up --name ${name}`,
          },
        );
      }
      ctx.print(renderTable(SUMMARY_HEAD, summaryRows([found]), Boolean(ctx.io.stdout.isTTY)));
      const connected = current ?? (await provider.connect(name));
      ctx.print(`capabilities: ${[...connected.capabilities].join(', ') || 'none'}`);
    });

  cluster
    .command('list')
    .description('list the clusters of the chosen provider')
    .action(async function (this: Command) {
      const ctx = contextOf(this);
      const provider = await providerOf(ctx);
      const list = await provider.list();
      if (list.length === 0) {
        ctx.print(`no clusters on provider ${provider.name}`);
        return;
      }
      ctx.print(renderTable(SUMMARY_HEAD, summaryRows(list), Boolean(ctx.io.stdout.isTTY)));
    });
}
