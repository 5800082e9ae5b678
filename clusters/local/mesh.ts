/**
 * @module clusters/local/mesh
 * Installs the reference mesh as host-network pods in `istio-system`: istiod on node 0, and per
 * node a ztunnel and an istio-cni-node agent, with per-node bootstrap tokens; waits for their
 * readiness endpoints from inside the node namespace. The programs run as esbuild bundles built from
 * the current sources at install time (`node-bundle.ts`), as an image would hold them.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MeshbenchError } from '../../core/errors.ts';
import type { Cluster, KubeObject, MeshInfo, MeshInstallOptions, WaitOptions } from '../cluster.ts';
import { REPO_ROOT } from './images.ts';
import { type ClusterPaths, podStartHookSocket } from './naming.ts';
import { bundleEntries } from './node-bundle.ts';
import { nodeFlagsFor } from './node-flags.ts';
import { readState, writeFileAtomic } from './state.ts';

/** What the installer needs of a local cluster. */
export type MeshTarget = Pick<Cluster, 'name' | 'apply' | 'delete' | 'waitReady' | 'pods'> & {
  readonly paths: ClusterPaths;
};

const SYSTEM_NS = 'istio-system';
/** The waypoint program (run by the waypoint Deployments the local provider makes for Gateways). */
export const WAYPOINT_PROGRAM = 'reference-impl/waypoint/main.ts';

/**
 * The command of a waypoint container (image `meshbench/waypoint`): the reference waypoint, pointed
 * at istiod on node 0 and the mesh's CA root; it takes its node's bootstrap token from the mesh dir.
 */
export function waypointCommand(paths: Pick<ClusterPaths, 'meshDir'>, istiodIp: string): string[] {
  return [
    process.execPath,
    ...nodeFlagsFor('waypoint'),
    waypointEntry(paths),
    '--xds',
    `${istiodIp}:15012`,
    '--ca-root',
    join(paths.meshDir, 'ca', 'root-cert.pem'),
    '--token-dir',
    paths.meshDir,
  ];
}
/**
 * The waypoint's "image": `<mesh>/bin/waypoint.mjs`, a symlink the install points at the esbuild
 * bundle of the waypoint built with the other programs (so waypoints deployed later run the same
 * build, without tsx's memory cost).
 */
export function waypointEntry(paths: Pick<ClusterPaths, 'meshDir'>): string {
  return join(paths.meshDir, 'bin', 'waypoint.mjs');
}

const PROGRAMS = {
  istiod: 'reference-impl/control-plane/main.ts',
  ztunnel: 'reference-impl/ztunnel/main.ts',
  cni: 'reference-impl/node-agent/main.ts',
};

const hostPod = (
  name: string,
  node: string,
  app: string,
  argv: string[],
  probePort: number,
  probePath: string,
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: SYSTEM_NS, labels: { app } },
  spec: {
    nodeName: node,
    hostNetwork: true,
    restartPolicy: 'Always',
    serviceAccountName: app,
    containers: [
      {
        name: app === 'istio-cni-node' ? 'install-cni' : app === 'istiod' ? 'discovery' : 'istio-proxy',
        image: `meshbench/${app}`,
        command: [process.execPath, ...nodeFlagsFor(app), ...argv],
        ...(probePort
          ? {
              readinessProbe: {
                httpGet: { path: probePath, port: probePort, host: '127.0.0.1' },
                periodSeconds: 2,
              },
            }
          : {}),
      },
    ],
  },
});

/** Atomically points the symlink `entry` at `target`. */
function pointSymlink(entry: string, target: string): void {
  mkdirSync(dirname(entry), { recursive: true });
  const tmp = `${entry}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  symlinkSync(target, tmp);
  renameSync(tmp, entry);
}

/** Installs the reference mesh; see the module comment. */
export async function installReferenceMesh(
  c: MeshTarget,
  options: MeshInstallOptions,
  wait: WaitOptions = {},
): Promise<MeshInfo> {
  if (options.implementation !== 'reference') {
    throw new MeshbenchError(
      'E_UNSUPPORTED',
      `the local provider installs only the reference mesh, not "${options.implementation}"`,
      {
        hint: 'use the kind or existing provider for real Istio',
      },
    );
  }
  for (const [what, path] of Object.entries(PROGRAMS)) {
    if (!existsSync(join(REPO_ROOT, path))) {
      throw new MeshbenchError(
        'E_UNSUPPORTED',
        `the reference mesh is not complete: ${what} (${path}) does not exist yet`,
      );
    }
  }
  const bins = await bundleEntries({ ...PROGRAMS, waypoint: WAYPOINT_PROGRAM });
  await pointSymlink(waypointEntry(c.paths), bins['waypoint']!);
  const state = readState(c.paths.stateFile);
  const nodes = state?.nodes ?? [];
  if (!nodes[0]) throw new MeshbenchError('E_CLUSTER_STATE', `cluster ${c.name} has no nodes in its state`);
  const mesh = c.paths.meshDir;
  mkdirSync(join(mesh, 'ca'), { recursive: true });
  const tokens: Record<string, string> = {};
  for (const n of nodes) {
    const token = randomBytes(24).toString('hex');
    tokens[token] = n.name;
    writeFileAtomic(join(mesh, `token-${n.name}`), token);
  }
  writeFileAtomic(join(mesh, 'node-tokens.json'), JSON.stringify(tokens, null, 1));
  const ttl = String(options.certificateTtlSeconds ?? 86_400);
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SYSTEM_NS } },
    ...['istiod', 'ztunnel', 'istio-cni-node'].map(
      (sa): KubeObject => ({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: sa, namespace: SYSTEM_NS },
      }),
    ),
    hostPod(
      'istiod',
      nodes[0].name,
      'istiod',
      [
        bins['istiod']!,
        '--config-dir',
        c.paths.configDir,
        '--listen',
        '0.0.0.0:15012',
        '--admin',
        '0.0.0.0:15014',
        '--ca-dir',
        join(mesh, 'ca'),
        '--node-tokens',
        join(mesh, 'node-tokens.json'),
        '--trust-domain',
        'cluster.local',
        '--cert-ttl',
        ttl,
      ],
      15014,
      '/ready',
    ),
  ];
  await c.apply(objects);
  await c.waitReady([{ kind: 'Pod', namespace: SYSTEM_NS, name: 'istiod' }], wait);
  const perNode: KubeObject[] = nodes.flatMap((n) => [
    hostPod(
      `ztunnel-${n.name}`,
      n.name,
      'ztunnel',
      [
        bins['ztunnel']!,
        '--node',
        n.name,
        '--xds',
        `${nodes[0]!.ip}:15012`,
        '--ca-root',
        join(mesh, 'ca', 'root-cert.pem'),
        '--token-file',
        join(mesh, `token-${n.name}`),
        '--zds-socket',
        join(mesh, `zds-${n.name}.sock`),
      ],
      15021,
      '/healthz/ready',
    ),
    hostPod(
      `istio-cni-node-${n.name}`,
      n.name,
      'istio-cni-node',
      [
        bins['cni']!,
        '--node',
        n.name,
        '--config-dir',
        c.paths.configDir,
        '--zds-socket',
        join(mesh, `zds-${n.name}.sock`),
        // Kubelet asks it about each new pod before starting the pod's containers.
        '--cni-socket',
        podStartHookSocket(c.paths, n.name),
      ],
      0,
      '',
    ),
  ]);
  await c.apply(perNode);
  await c.waitReady(perNode, wait);
  return { implementation: 'reference', version: 'meshbench-reference', systemNamespace: SYSTEM_NS };
}

/** Stops the mesh pods and deletes istio-system. */
export async function uninstallReferenceMesh(c: MeshTarget): Promise<void> {
  await c.delete([{ kind: 'Namespace', name: SYSTEM_NS }]);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (await c.pods(SYSTEM_NS)).length > 0)
    await new Promise((r) => setTimeout(r, 100));
}
