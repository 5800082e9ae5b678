/**
 * @module clusters/existing/istio-mesh
 * Real Istio in ambient mode through `istioctl` (`install --set profile=ambient -y`), for kind and
 * existing clusters. `values` become `--set key=value` flags. Tested with an injected runner.
 */
import type { MeshInfo } from '../cluster.ts';
import { type CommandRunner, runTool } from './command-runner.ts';

/** Where istioctl should act: a kubeconfig file (optional) and a context. */
export interface IstioTarget {
  kubeconfig?: string;
  context: string;
}

/** Flattens `{ a: { b: 1 } }` into `['a.b=1']`. */
export function setFlags(values: Record<string, unknown> = {}, prefix = ''): string[] {
  return Object.entries(values).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? setFlags(v as Record<string, unknown>, `${prefix}${k}.`)
      : [`${prefix}${k}=${Array.isArray(v) ? v.join(',') : String(v)}`],
  );
}

function targetFlags(target: IstioTarget): string[] {
  return [...(target.kubeconfig ? ['--kubeconfig', target.kubeconfig] : []), '--context', target.context];
}

/** The `istioctl install` argv. */
export function istioInstallArgs(target: IstioTarget, values?: Record<string, unknown>): string[] {
  return [
    'install',
    '--set',
    'profile=ambient',
    ...setFlags(values).flatMap((s) => ['--set', s]),
    '--skip-confirmation',
    ...targetFlags(target),
  ];
}

/** Installs Istio ambient and returns its version (`istioctl version --remote=false`). */
export async function installIstio(
  runner: CommandRunner,
  target: IstioTarget,
  values?: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<MeshInfo> {
  const version = (await runTool(runner, 'istioctl', ['version', '--remote=false', '--short'])).trim();
  await runTool(runner, 'istioctl', istioInstallArgs(target, values), {
    failCode: 'E_MESH_CONFIG',
    ...(signal ? { signal } : {}),
  });
  return { implementation: 'istio', version: version || 'unknown', systemNamespace: 'istio-system' };
}

/** Removes Istio (`istioctl uninstall --purge -y`). */
export async function uninstallIstio(runner: CommandRunner, target: IstioTarget): Promise<void> {
  await runTool(runner, 'istioctl', ['uninstall', '--purge', '--skip-confirmation', ...targetFlags(target)], {
    failCode: 'E_MESH_CONFIG',
  });
}
