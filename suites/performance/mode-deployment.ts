/**
 * @module suites/performance/mode-deployment
 * Deploys one mode's namespace with the fortio server and client, waits for them, and finds the
 * address to load (the server Service's ClusterIP) and whether client and server landed on
 * different nodes. Every object applied is returned so the caller can delete it in `finally`.
 */
import type { Cluster, KubeObject, MeshInfo, PodInfo } from '../../clusters/cluster.ts';
import { MeshbenchError } from '../../core/errors.ts';
import type { Mode } from '../../results/performance/types.ts';
import {
  CLIENT_NAME,
  FORTIO_HTTP_PORT,
  FORTIO_TCP_PORT,
  fortioObjects,
  SERVER_NAME,
} from './fortio-workload.ts';
import { modeNamespace, modeObjects, WAYPOINT_NAME } from './modes.ts';

export interface ModeDeployment {
  mode: Mode;
  namespace: string;
  client: PodInfo;
  server: PodInfo;
  /** `http://<ClusterIP>:8080/echo` */
  httpUrl: string;
  /** `tcp://<ClusterIP>:8078` */
  tcpUrl: string;
  crossNode: boolean;
}

export interface DeployOptions {
  mesh?: MeshInfo | undefined;
  serverReplicas?: number;
  timeoutMs?: number;
  /** Deadline for the waypoint Gateway alone (default `timeoutMs`): keep it short where none is expected. */
  waypointTimeoutMs?: number;
  signal?: AbortSignal;
  prefix?: string;
}

/**
 * Applies the mode's objects and fortio workloads. Push `onApplied` objects to a teardown list
 * *before* waiting, so a failed wait still cleans up.
 */
export async function deployMode(
  cluster: Cluster,
  mode: Mode,
  onApplied: (objects: KubeObject[]) => void,
  options: DeployOptions = {},
): Promise<ModeDeployment> {
  const namespace = modeNamespace(mode, options.prefix);
  const objects = [
    ...modeObjects(mode, namespace),
    ...fortioObjects(namespace, { serverReplicas: options.serverReplicas ?? 1 }),
  ];
  onApplied(objects);
  await cluster.apply(objects);
  const wait = {
    timeoutMs: options.timeoutMs ?? 120_000,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const gateway = objects.find((o) => o.kind === 'Gateway');
  if (gateway) {
    try {
      await cluster.waitReady([gateway], { ...wait, timeoutMs: options.waypointTimeoutMs ?? wait.timeoutMs });
    } catch (err) {
      throw new MeshbenchError(
        'E_UNSUPPORTED',
        `mode waypoint: Gateway ${namespace}/${WAYPOINT_NAME} (class istio-waypoint) never became ready`,
        {
          cause: err,
          hint: 'the mesh must provide the istio-waypoint GatewayClass and deploy waypoints',
        },
      );
    }
  }
  await cluster.waitReady(
    objects.filter((o) => o.kind === 'Deployment'),
    wait,
  );
  const [server] = await cluster.pods(namespace, { app: SERVER_NAME });
  const [client] = await cluster.pods(namespace, { app: CLIENT_NAME });
  if (!server || !client) {
    throw new MeshbenchError(
      'E_NOT_FOUND',
      `mode ${mode}: fortio pods missing in namespace ${namespace} after they became ready`,
    );
  }
  if (mode === 'sidecar' && server.containers.length < 2) {
    throw new MeshbenchError(
      'E_UNSUPPORTED',
      `mode sidecar: pod ${namespace}/${server.name} has only [${server.containers.map((c) => c.name).join(', ')}]: no sidecar was injected`,
      {
        hint: 'the mesh needs a sidecar injector honouring istio-injection=enabled',
      },
    );
  }
  const service = await cluster.get({ kind: 'Service', name: SERVER_NAME, namespace });
  const ip = (service?.spec as { clusterIP?: string } | undefined)?.clusterIP;
  if (!ip || ip === 'None') {
    throw new MeshbenchError('E_NOT_FOUND', `Service ${namespace}/${SERVER_NAME} has no spec.clusterIP`, {
      hint: 'the provider must allocate ClusterIPs for Services',
    });
  }
  return {
    mode,
    namespace,
    client,
    server,
    httpUrl: `http://${ip}:${FORTIO_HTTP_PORT}/echo`,
    tcpUrl: `tcp://${ip}:${FORTIO_TCP_PORT}`,
    crossNode: client.node !== server.node,
  };
}
