/**
 * @module scripts/cli/mesh
 * `meshbench mesh install|uninstall`: installs the reference mesh (default) or real Istio (ambient
 * profile, on kind/existing clusters) into the cluster. Data-plane modes are chosen per namespace
 * by labels, not here.
 */
import { type Command, Option } from 'commander';
import type { MeshInstallOptions } from '../../clusters/cluster.ts';
import { connectTo } from './cluster-access.ts';
import { contextOf } from './context.ts';
import { intAtLeast } from './parse.ts';

/** Registers `mesh install` and `mesh uninstall`. */
export function register(program: Command): void {
  const mesh = program.command('mesh').description('install or remove the mesh under test');

  mesh
    .command('install')
    .description('install the mesh control plane and node proxies')
    .addOption(
      new Option('--implementation <impl>', 'reference (meshbench’s own) or istio (istioctl)')
        .choices(['reference', 'istio'])
        .default('reference'),
    )
    .option('--cert-ttl <seconds>', 'workload certificate TTL (reference mesh)', intAtLeast(60))
    .option('--timeout <ms>', 'deadline for the mesh to become ready', intAtLeast(1), 300_000)
    .action(async function (
      this: Command,
      opts: { implementation: 'reference' | 'istio'; certTtl?: number; timeout: number },
    ) {
      const ctx = contextOf(this);
      const cluster = await connectTo(ctx);
      const options: MeshInstallOptions = {
        implementation: opts.implementation,
        ...(opts.certTtl ? { certificateTtlSeconds: opts.certTtl } : {}),
      };
      const info = await ctx.progress.run(`mesh install ${opts.implementation}`, () =>
        cluster.installMesh(options, {
          timeoutMs: opts.timeout,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        }),
      );
      ctx.print(`mesh ${info.implementation} ${info.version} installed in namespace ${info.systemNamespace}`);
    });

  mesh
    .command('uninstall')
    .description('remove the mesh (workloads stay)')
    .action(async function (this: Command) {
      const ctx = contextOf(this);
      const cluster = await connectTo(ctx);
      await ctx.progress.run('mesh uninstall', () => cluster.uninstallMesh());
      ctx.print('mesh removed');
    });
}
