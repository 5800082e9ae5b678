/**
 * @module suites/performance/testing/loopback-cluster
 * Test double of `Cluster` for the performance suites' own tests: objects are kept in memory, pods
 * are reported on two nodes, and `exec` runs the REAL fortio binary on this machine against a real
 * fortio server on 127.0.0.1 (Service ports are rewritten to the loopback server's ephemeral ports).
 * It tests the suites' orchestration and parsing, not a data plane.
 */
import type { Cluster, KubeObject, ObjectRef, PodInfo, PodUsage } from '../../../clusters/cluster.ts';
import { MeshbenchError } from '../../../core/errors.ts';
import type { LoopbackFortio } from '../../../results/performance/testing/loopback-fortio.ts';
import { runFortio } from '../../../results/performance/testing/loopback-fortio.ts';
import { FORTIO_HTTP_PORT, FORTIO_TCP_PORT } from '../fortio-workload.ts';

export interface LoopbackCluster extends Cluster {
  /** Every object currently applied (`kind/namespace/name`). */
  readonly objects: Map<string, KubeObject>;
  /** Every argv passed to exec. */
  readonly execs: string[][];
}

const keyOf = (o: ObjectRef | KubeObject) =>
  'metadata' in o
    ? `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`
    : `${o.kind}/${o.namespace ?? ''}/${o.name}`;

/** Creates the double; `extraCapabilities` lets a test add `usage` etc. */
export function createLoopbackCluster(
  server: LoopbackFortio,
  options: { usage?: (pod: string) => PodUsage } = {},
): LoopbackCluster {
  const objects = new Map<string, KubeObject>();
  const execs: string[][] = [];
  const unsupported = (what: string) => async (): Promise<never> => {
    throw new MeshbenchError('E_UNSUPPORTED', `loopback test cluster has no ${what}`);
  };
  const podsOf = (namespace: string, selector?: Record<string, string>): PodInfo[] => {
    const deployments = [...objects.values()].filter(
      (o) => o.kind === 'Deployment' && o.metadata.namespace === namespace,
    );
    return deployments.flatMap((d, i) => {
      const labels = (d.spec as { template: { metadata: { labels: Record<string, string> } } }).template
        .metadata.labels;
      if (selector && !Object.entries(selector).every(([k, v]) => labels[k] === v)) return [];
      const replicas = (d.spec as { replicas?: number }).replicas ?? 1;
      return Array.from({ length: replicas }, (_, r) => ({
        namespace,
        name: `${d.metadata.name}-${r}`,
        node: `node-${(i + r) % 2}`,
        ip: '127.0.0.1',
        phase: 'Running' as const,
        ready: true,
        labels,
        serviceAccount: 'default',
        restarts: 0,
        containers: [{ name: 'fortio', running: true, restarts: 0 }],
        hostNetwork: false,
      }));
    });
  };
  return {
    name: 'loopback-test',
    provider: 'loopback-test',
    capabilities: new Set(options.usage ? ['exec', 'usage'] : ['exec']),
    objects,
    execs,
    async apply(list) {
      for (const o of list) {
        const copy = structuredClone(o);
        if (copy.kind === 'Service') (copy.spec as Record<string, unknown>).clusterIP = '127.0.0.1';
        objects.set(keyOf(copy), copy);
      }
    },
    async delete(refs) {
      for (const r of refs) objects.delete(keyOf(r));
    },
    async get(ref) {
      return objects.get(keyOf(ref));
    },
    async list(kind, namespace) {
      return [...objects.values()].filter(
        (o) => o.kind === kind && (!namespace || o.metadata.namespace === namespace),
      );
    },
    async waitReady() {},
    async pods(namespace, selector) {
      return podsOf(namespace, selector);
    },
    call: unsupported('call'),
    async exec(_pod, argv) {
      execs.push([...argv]);
      const args = argv
        .slice(1)
        .map((a) =>
          a
            .replace(`127.0.0.1:${FORTIO_HTTP_PORT}`, `127.0.0.1:${server.httpPort}`)
            .replace(`127.0.0.1:${FORTIO_TCP_PORT}`, `127.0.0.1:${server.tcpPort}`),
        );
      return runFortio(args);
    },
    podHttp: unsupported('podHttp'),
    logs: unsupported('logs'),
    async usage(pod) {
      if (!options.usage) throw new MeshbenchError('E_UNSUPPORTED', 'no usage');
      return options.usage(pod.name);
    },
    capture: unsupported('capture'),
    installMesh: unsupported('installMesh'),
    uninstallMesh: unsupported('uninstallMesh'),
    async teardown() {
      objects.clear();
    },
  };
}
