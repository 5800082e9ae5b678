/**
 * @module clusters/kind/kind-commands
 * The kind command lines and the cluster config, as pure functions (tested without kind).
 */
import { stringify } from 'yaml';

/** kind names its kubeconfig context `kind-<cluster>`. */
export function kindContext(name: string): string {
  return `kind-${name}`;
}

/** A kind Cluster config: one control-plane node plus `nodes - 1` workers. */
export function kindClusterConfig(nodes: number): string {
  const total = Math.max(1, Math.floor(nodes));
  return stringify({
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    nodes: [{ role: 'control-plane' }, ...Array.from({ length: total - 1 }, () => ({ role: 'worker' }))],
  });
}

/** `kind create cluster` argv. */
export function createClusterArgs(name: string, configPath: string, waitSeconds = 180): string[] {
  return ['create', 'cluster', '--name', name, '--config', configPath, '--wait', `${waitSeconds}s`];
}

/** `kind delete cluster` argv. */
export function deleteClusterArgs(name: string): string[] {
  return ['delete', 'cluster', '--name', name];
}

/** `kind get kubeconfig` argv (prints the kubeconfig of one cluster). */
export function getKubeconfigArgs(name: string): string[] {
  return ['get', 'kubeconfig', '--name', name];
}

/** `kind get nodes` argv. */
export function getNodesArgs(name: string): string[] {
  return ['get', 'nodes', '--name', name];
}

/** `kind get clusters` argv. */
export const GET_CLUSTERS_ARGS: readonly string[] = ['get', 'clusters'];

/** Cluster names from `kind get clusters` (which says "No kind clusters found." on stderr). */
export function parseClusterList(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^No kind clusters found/i.test(l));
}
