/**
 * @module suites/performance/modes
 * A data-plane mode is a namespace labelled for it, with the same YAML a real Istio cluster takes:
 * baseline = no label; ambient = `istio.io/dataplane-mode=ambient`; waypoint = ambient +
 * `istio.io/use-waypoint` + a Gateway of class `istio-waypoint`; sidecar = `istio-injection=enabled`.
 * Also decides whether a mode can run on a cluster, naming what is missing when it cannot.
 */
import type { Cluster, KubeObject, MeshInfo } from '../../clusters/cluster.ts';
import type { Mode } from '../../results/performance/types.ts';

/** Name of the waypoint Gateway in a waypoint-mode namespace. */
export const WAYPOINT_NAME = 'waypoint';

/** `modes` with `baseline` first when it is missing: every suite measures against it. */
export function withBaseline(modes: readonly Mode[]): Mode[] {
  return modes.includes('baseline') ? [...modes] : ['baseline', ...modes];
}

/** The namespace a mode's workloads run in. */
export function modeNamespace(mode: Mode, prefix = 'mb-perf'): string {
  return `${prefix}-${mode}`;
}

/** Namespace (and, for waypoint, the Gateway) that put a namespace in `mode`. */
export function modeObjects(mode: Mode, namespace: string): KubeObject[] {
  const labels: Record<string, string> = {
    'app.kubernetes.io/part-of': 'meshbench',
    'meshbench.dev/mode': mode,
  };
  if (mode === 'ambient' || mode === 'waypoint') labels['istio.io/dataplane-mode'] = 'ambient';
  if (mode === 'waypoint') labels['istio.io/use-waypoint'] = WAYPOINT_NAME;
  if (mode === 'sidecar') labels['istio-injection'] = 'enabled';
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels } },
  ];
  if (mode === 'waypoint') {
    objects.push({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: WAYPOINT_NAME, namespace, labels: { 'istio.io/waypoint-for': 'service' } },
      spec: {
        gatewayClassName: 'istio-waypoint',
        listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
      },
    });
  }
  return objects;
}

/** Why a mode cannot run, or `undefined` when it can (as far as can be told before deploying). */
export async function modeUnavailableReason(
  cluster: Cluster,
  mode: Mode,
  mesh: MeshInfo | undefined,
): Promise<string | undefined> {
  if (mode === 'baseline') return undefined;
  if (!mesh) {
    return `mode ${mode} needs a mesh, and none is installed on cluster ${cluster.name} (provider ${cluster.provider}): install one (meshbench bench --mesh reference, or Istio with the ambient profile)`;
  }
  if (mode === 'ambient' || mode === 'waypoint') {
    const ztunnels = await cluster.pods(mesh.systemNamespace, { app: 'ztunnel' });
    if (ztunnels.length === 0) {
      return `mode ${mode} needs ztunnel: no pod labelled app=ztunnel in namespace ${mesh.systemNamespace} (mesh ${mesh.implementation} ${mesh.version})`;
    }
  }
  return undefined;
}
