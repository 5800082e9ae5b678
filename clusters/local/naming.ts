/**
 * @module clusters/local/naming
 * Every name and path the local provider uses, derived from the cluster name. All kernel objects
 * carry the prefix `mb-<cluster>-` (network namespaces) or a short hashed `mb<8 hex>` (links, which
 * are limited to 15 characters); cgroups live under `meshbench/<cluster>`; state under
 * `${MESHBENCH_STATE_DIR:-/var/lib/meshbench}/clusters/<cluster>`.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ValidationError } from '../../core/errors.ts';

/** Cluster names: lowercase DNS label, short enough for every derived name. */
const CLUSTER_NAME = /^[a-z]([a-z0-9-]{0,28}[a-z0-9])?$/;

/** Throws E_FLAG unless `name` is a valid cluster name. */
export function checkClusterName(name: string): void {
  if (!CLUSTER_NAME.test(name)) {
    throw new ValidationError(
      'E_FLAG',
      { field: 'name' },
      `invalid cluster name "${name}": use 1-30 lowercase letters, digits or '-', starting with a letter`,
    );
  }
}

/** Root of all local cluster state. */
export function stateRoot(): string {
  return join(process.env.MESHBENCH_STATE_DIR || '/var/lib/meshbench', 'clusters');
}

/** Paths of one cluster's state directory. */
export function clusterPaths(cluster: string) {
  const dir = join(stateRoot(), cluster);
  return {
    dir,
    stateFile: join(dir, 'state.json'),
    socket: join(dir, 'api.sock'),
    configDir: join(dir, 'config'),
    logsDir: join(dir, 'logs'),
    meshDir: join(dir, 'mesh'),
    daemonLog: join(dir, 'daemon.log'),
    captureDir: join(dir, 'captures'),
  };
}

export type ClusterPaths = ReturnType<typeof clusterPaths>;

/**
 * Where node `node`'s pod start hook listens (the role of the mesh's CNI plugin: the reference
 * mesh's node agent serves it when installed): kubelet asks it about every new pod before starting
 * the pod's containers. No socket file: no hook, containers start at once.
 */
export const podStartHookSocket = (paths: Pick<ClusterPaths, 'meshDir'>, node: string): string =>
  join(paths.meshDir, `pod-start-${node}.sock`);

/** Prefix of every network namespace of the cluster. */
export const netnsPrefix = (cluster: string) => `mb-${cluster}-`;
/** The underlay (bridge) namespace. */
export const underlayNetns = (cluster: string) => `${netnsPrefix(cluster)}u`;
/** Node `i`'s namespace. */
export const nodeNetns = (cluster: string, i: number) => `${netnsPrefix(cluster)}n${i}`;
/** A pod's namespace: hashed, stable for one pod incarnation (uid). */
export const podNetns = (cluster: string, uid: string) => `${netnsPrefix(cluster)}p-${shortHash(uid)}`;

/** True when `ns` is one of this cluster's namespaces (and not another cluster's sharing the prefix). */
export function isClusterNetns(cluster: string, ns: string): boolean {
  const p = netnsPrefix(cluster);
  return ns.startsWith(p) && /^(u|n\d+|p-[0-9a-f]{8})$/.test(ns.slice(p.length));
}

/** 8 hex characters of sha256. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** A link name of at most 15 characters: `mb` + 8 hex of (cluster, purpose). */
export const linkName = (cluster: string, purpose: string) => `mb${shortHash(`${cluster}/${purpose}`)}`;

/** Node name of index `i`. */
export const nodeName = (i: number) => `node${i}`;
/** Underlay address of node `i`. */
export const nodeIp = (i: number) => `198.18.0.${10 + i}`;
/** Pod CIDR base of node `i` (`198.18.(16+i).0/24`) and its gateway (`.1`). */
export const podSubnet = (i: number) => `198.18.${16 + i}`;
export const podGateway = (i: number) => `${podSubnet(i)}.1`;
/** The cluster DNS service address. */
export const DNS_IP = '198.19.0.10';
/** Ranges routed inside the cluster; nothing else is routable anywhere. */
export const CLUSTER_RANGES = ['198.18.0.0/15', '198.19.0.0/16'] as const;
/**
 * Virtual service addresses outside the cluster ranges (ServiceEntry `addresses`): class E, reserved
 * and never routed on any network. Pods route it to their node, as a pod's default route would, so
 * the in-pod capture sees connections to it; the node drops what reaches it (no answer).
 */
export const VIRTUAL_SERVICE_RANGE = '240.0.0.0/4';
/** nftables table the kube-proxy renders into, in each node namespace. */
export const KUBE_PROXY_TABLE = 'meshbench_kube_proxy';
/** `<kind>.<namespace>.<name>.yaml` in the config dir (`_cluster` for cluster-scoped). */
export const configFileName = (kind: string, namespace: string | undefined, name: string) =>
  `${kind.toLowerCase()}.${namespace ?? '_cluster'}.${name}.yaml`;
