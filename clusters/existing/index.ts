/**
 * @module clusters/existing
 * The `existing` provider (any kubeconfig context) and the Kubernetes-API `Cluster` that the kind
 * provider reuses.
 */
export {
  type CommandResult,
  type CommandRunner,
  execaRunner,
  runTool,
  TOOL_HINTS,
  toolMissing,
} from './command-runner.ts';
export {
  createExistingProvider,
  type ExistingProviderOptions,
  existingProvider,
} from './existing-provider.ts';
export { connectKubeCluster, KubeCluster, type KubeClusterOptions } from './kube-cluster.ts';
export { contextNames, loadKubeConfig, selectContext } from './kube-config.ts';
