/**
 * @module clusters/existing/pod-usage
 * A pod's CPU and memory from metrics.k8s.io PodMetrics (metrics-server). It reports a rate over a
 * window, not a cgroup counter: `cpuSeconds` is cores × window seconds, and `peakMemoryBytes` is
 * the current working set (the API has no peak).
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { PodRef, PodUsage } from '../cluster.ts';
import { kubeError } from './kube-errors.ts';
import { parseQuantity } from './quantity.ts';

interface PodMetrics {
  timestamp?: string;
  window?: string;
  containers?: { usage?: { cpu?: string; memory?: string } }[];
}

/** Reads and sums the PodMetrics of `pod` over its containers. */
export async function podUsage(kc: KubeConfig, pod: PodRef): Promise<PodUsage> {
  let m: PodMetrics;
  try {
    m = (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      namespace: pod.namespace,
      plural: 'pods',
      name: pod.name,
    })) as PodMetrics;
  } catch (err) {
    throw kubeError(`PodMetrics of ${pod.namespace}/${pod.name}`, err, kc.getCurrentCluster()?.server);
  }
  const windowS = Number.parseFloat(m.window ?? '0') || 0;
  const cores = (m.containers ?? []).reduce((s, c) => s + parseQuantity(c.usage?.cpu ?? '0'), 0);
  const memory = (m.containers ?? []).reduce((s, c) => s + parseQuantity(c.usage?.memory ?? '0'), 0);
  return {
    cpuSeconds: cores * windowS,
    memoryBytes: memory,
    peakMemoryBytes: memory,
    sampledAt: m.timestamp ?? new Date().toISOString(),
  };
}
