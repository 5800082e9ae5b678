/**
 * @module clusters/existing/existing-provider
 * The `existing` provider: any cluster reachable through a kubeconfig context (real Istio, or our
 * images on a real cluster). The cluster's name is the context name (`current` = the current
 * context). It never creates or deletes clusters: `up` connects, `down` removes only what
 * meshbench applied (namespaces labelled `app.kubernetes.io/managed-by=meshbench`).
 */
import { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from '../../core/logger.ts';
import type { Cluster, ClusterProvider, ClusterSummary, DownReport } from '../cluster.ts';
import type { CommandRunner } from './command-runner.ts';
import { connectKubeCluster, MANAGED_LABEL } from './kube-cluster.ts';
import { contextNames, type KubeConfigSource, loadKubeConfig, selectContext } from './kube-config.ts';

export interface ExistingProviderOptions {
  /** Kubeconfig file or object; default `$KUBECONFIG` or `~/.kube/config`. */
  kubeconfig?: KubeConfigSource;
  runner?: CommandRunner;
  logger?: Logger;
  /** Deadline of the per-context health probe of `list`. */
  probeTimeoutMs?: number;
}

const EMPTY_REMOVED = { namespaces: 0, links: 0, cgroups: 0, processes: 0, files: 0 };

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Creates the provider (tests pass a kubeconfig pointing at a fake API server). */
export function createExistingProvider(options: ExistingProviderOptions = {}): ClusterProvider {
  const kubeconfigPath = typeof options.kubeconfig === 'string' ? options.kubeconfig : undefined;
  const connect = async (name: string): Promise<Cluster> => {
    const kc = selectContext(loadKubeConfig(options.kubeconfig), name);
    return connectKubeCluster({
      // `current` resolves to the context's own name.
      name: kc.getCurrentContext(),
      provider: 'existing',
      kubeConfig: kc,
      ...(kubeconfigPath ? { kubeconfigPath } : {}),
      ...(options.runner ? { runner: options.runner } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  };

  return {
    name: 'existing',
    async up({ name, onProgress }) {
      onProgress?.(`connect to context ${name}`, 0, 1);
      const cluster = await connect(name);
      onProgress?.(`connected to context ${name}`, 1, 1);
      return cluster;
    },
    connect,
    async down(name): Promise<DownReport> {
      const kc = loadKubeConfig(options.kubeconfig);
      if (!contextNames(kc).includes(name) && name !== 'current') {
        return { name, existed: false, removed: { ...EMPTY_REMOVED } };
      }
      const cluster = await connect(name);
      const managed = await cluster.list('Namespace', undefined, { [MANAGED_LABEL]: 'meshbench' });
      await cluster.teardown();
      return { name, existed: true, removed: { ...EMPTY_REMOVED, namespaces: managed.length } };
    },
    async list(): Promise<ClusterSummary[]> {
      const kc = loadKubeConfig(options.kubeconfig);
      return Promise.all(
        contextNames(kc).map(async (name): Promise<ClusterSummary> => {
          const core = selectContext(kc, name).makeApiClient(CoreV1Api);
          const probe = Promise.all([core.listNode(), core.listPodForAllNamespaces({ limit: 500 })]).catch(
            () => undefined,
          );
          const found = await withTimeout(probe, options.probeTimeoutMs ?? 3000);
          return {
            name,
            provider: 'existing',
            nodes: found?.[0].items.length ?? 0,
            pods: found?.[1].items.length ?? 0,
            healthy: found !== undefined,
            createdAt: '',
          };
        }),
      );
    },
  };
}

/** The provider with the default kubeconfig and real tools. */
export const existingProvider: ClusterProvider = createExistingProvider();
