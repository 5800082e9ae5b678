/**
 * @module scripts/cli/main/mesh
 * The mesh the conformance and latency steps share: found on the cluster when a ready ztunnel runs
 * in `istio-system` (a previous `npm start` left it, like the cluster), else installed once with the
 * implementation's install options. It is left installed afterwards: the conformance suite's global
 * setup treats it as pre-installed (and does not uninstall it), and the next run reuses it.
 */
import type { MeshInfo } from '../../../clusters/cluster.ts';
import {
  type ImplementationManifest,
  implementationManifest,
} from '../../../suites/conformance/implementations/index.ts';
import { type MainRun, requireCluster } from './main-step.ts';

/** Where the reference mesh and Istio keep the control plane and ztunnel. */
const SYSTEM_NAMESPACE = 'istio-system';

/** The implementation under test (`MESHBENCH_IMPLEMENTATION`, default the reference mesh). */
export function meshManifest(run: MainRun): ImplementationManifest {
  return implementationManifest(run.cli.io.env.MESHBENCH_IMPLEMENTATION || undefined);
}

/** The run's mesh: the one already on the cluster, or a fresh install (within `timeoutMs`). */
export async function ensureMesh(run: MainRun): Promise<MeshInfo> {
  if (run.mesh) return run.mesh;
  const cluster = requireCluster(run);
  const manifest = meshManifest(run);
  const ready = (await cluster.pods(SYSTEM_NAMESPACE, { app: 'ztunnel' })).filter((p) => p.ready);
  if (ready.length > 0) {
    run.mesh = {
      implementation: manifest.install.implementation,
      version: 'preinstalled',
      systemNamespace: SYSTEM_NAMESPACE,
    };
    run.cli.print(
      `mesh: ${manifest.install.implementation} already installed (${ready.length} ztunnel pods)`,
    );
    run.results.mesh = { ...run.mesh, installedByMain: false, ztunnelPods: ready.length };
    return run.mesh;
  }
  const info = await run.cli.progress.run(`mesh install ${manifest.install.implementation}`, () =>
    cluster.installMesh(manifest.install, {
      timeoutMs: run.options.timeoutMs,
      ...(run.cli.signal ? { signal: run.cli.signal } : {}),
    }),
  );
  const ztunnels = (await cluster.pods(info.systemNamespace, { app: 'ztunnel' })).filter((p) => p.ready);
  run.cli.print(
    `mesh: ${info.implementation} ${info.version} installed in ${info.systemNamespace} (${ztunnels.length} ztunnel pods)`,
  );
  run.mesh = info;
  run.results.mesh = { ...info, installedByMain: true, ztunnelPods: ztunnels.length };
  return info;
}
