/**
 * @module scripts/cli/main/cluster-step
 * Main step `cluster`: reuses the cluster named by `--name` when it exists and is healthy,
 * otherwise (or with `--fresh`) removes whatever is left of it and creates it again.
 */
import type { Cluster } from '../../../clusters/cluster.ts';
import { providerOf } from '../cluster-access.ts';
import type { MainRun, MainStep } from './main-step.ts';

async function reuse(run: MainRun): Promise<Cluster | undefined> {
  const provider = await providerOf(run.cli);
  const { name } = run.cli.globals;
  if (run.options.fresh) return undefined;
  const found = (await provider.list()).find((c) => c.name === name);
  if (!found) return undefined;
  if (!found.healthy) {
    run.cli.logger.warn('cluster exists but is not healthy: recreating it', { name });
    return undefined;
  }
  try {
    return await provider.connect(name);
  } catch (err) {
    run.cli.logger.warn('cannot connect to the existing cluster: recreating it', {
      name,
      error: String(err),
    });
    return undefined;
  }
}

/** The `cluster` step. */
export const clusterStep: MainStep = {
  id: 'cluster',
  title: 'cluster',
  async run(run) {
    const provider = await providerOf(run.cli);
    const { name } = run.cli.globals;
    const existing = await reuse(run);
    if (existing) {
      run.cluster = existing;
      run.cli.print(`reusing cluster "${name}" (provider ${provider.name})`);
      run.results.cluster = { name, provider: provider.name, reused: true };
      return;
    }
    await run.cli.progress.run(`cluster down ${name} (leftovers)`, () => provider.down(name));
    run.cluster = await run.cli.progress.run(
      `cluster up ${name} (${provider.name}, ${run.options.nodes} nodes)`,
      (task) =>
        provider.up({
          name,
          nodes: run.options.nodes,
          onProgress: (s, d, t) => task.update(s, d, t),
          ...(run.cli.signal ? { signal: run.cli.signal } : {}),
        }),
    );
    run.cli.print(`cluster "${name}" is up (provider ${provider.name}, ${run.options.nodes} nodes)`);
    run.results.cluster = { name, provider: provider.name, reused: false, nodes: run.options.nodes };
  },
};
