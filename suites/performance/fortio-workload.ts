/**
 * @module suites/performance/fortio-workload
 * The fortio server and client of the performance suites, as Kubernetes objects (image
 * `fortio/fortio`). The client pod idles as a fortio server too (as in istio/tools) and the suites
 * `exec` `fortio load` in it; pod anti-affinity puts client and server on different nodes.
 */
import type { KubeObject } from '../../clusters/cluster.ts';

export const FORTIO_IMAGE = 'fortio/fortio';
export const FORTIO_HTTP_PORT = 8080;
export const FORTIO_TCP_PORT = 8078;
export const SERVER_NAME = 'fortio-server';
export const CLIENT_NAME = 'fortio-client';

const ROLE = 'meshbench.dev/perf-role';

function deployment(name: string, namespace: string, replicas: number, antiAffinityTo?: string): KubeObject {
  const labels = { app: name, [ROLE]: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels },
        spec: {
          ...(antiAffinityTo
            ? {
                affinity: {
                  podAntiAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: [
                      {
                        labelSelector: { matchLabels: { app: antiAffinityTo } },
                        topologyKey: 'kubernetes.io/hostname',
                      },
                    ],
                  },
                },
              }
            : {}),
          containers: [
            {
              name: 'fortio',
              image: FORTIO_IMAGE,
              args: [
                'server',
                '-http-port',
                String(FORTIO_HTTP_PORT),
                '-tcp-port',
                String(FORTIO_TCP_PORT),
                '-grpc-port',
                'disabled',
                '-redirect-port',
                'disabled',
                '-udp-port',
                'disabled',
              ],
              ports: [
                { name: 'http', containerPort: FORTIO_HTTP_PORT },
                { name: 'tcp', containerPort: FORTIO_TCP_PORT },
              ],
              readinessProbe: { httpGet: { path: '/debug', port: FORTIO_HTTP_PORT } },
            },
          ],
        },
      },
    },
  };
}

/** Server Deployment + Service, and the client Deployment on another node. */
export function fortioObjects(namespace: string, options: { serverReplicas?: number } = {}): KubeObject[] {
  return [
    deployment(SERVER_NAME, namespace, options.serverReplicas ?? 1),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SERVER_NAME, namespace, labels: { app: SERVER_NAME } },
      spec: {
        selector: { app: SERVER_NAME },
        ports: [
          { name: 'http', port: FORTIO_HTTP_PORT, targetPort: FORTIO_HTTP_PORT, appProtocol: 'http' },
          { name: 'tcp', port: FORTIO_TCP_PORT, targetPort: FORTIO_TCP_PORT, appProtocol: 'tcp' },
        ],
      },
    },
    deployment(CLIENT_NAME, namespace, 1, SERVER_NAME),
  ];
}
