/**
 * @module scripts/cli/main/demo-workload
 * The demo workload `meshbench main` deploys: a namespace, an echo Deployment (image
 * `meshbench/echo`, 3 replicas) behind a Service, and a client pod that also runs the echo app so
 * calls can be made from it through its forward API. Plain Kubernetes objects: the same YAML
 * applies to a real cluster.
 */
import type { KubeObject } from '../../../clusters/cluster.ts';

/** Names and ports of the demo, shared by the deploy and reachability steps. */
export const DEMO = {
  namespace: 'meshbench-demo',
  echo: 'echo',
  client: 'client',
  image: 'meshbench/echo',
  replicas: 3,
  /** The echo app's HTTP port. */
  httpPort: 8080,
  /** The echo app's forward API (calls *from* the pod). */
  forwardPort: 7071,
  /** The Service port in front of `httpPort`. */
  servicePort: 80,
} as const;

const echoContainer = (version: string) => ({
  name: 'echo',
  image: DEMO.image,
  ports: [
    { name: 'http', containerPort: DEMO.httpPort },
    { name: 'forward', containerPort: DEMO.forwardPort },
  ],
  args: ['--version', version],
  // What the echo reports about itself (Istio's echo reads the same downward-API variables).
  env: [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
    { name: 'SERVICE_ACCOUNT', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
  ],
  readinessProbe: { httpGet: { path: '/', port: DEMO.httpPort }, periodSeconds: 1 },
});

/** The demo objects, in apply order. `labels` go on the namespace (e.g. ambient enrolment). */
export function demoObjects(labels: Record<string, string> = {}): KubeObject[] {
  const ns = DEMO.namespace;
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { ...labels } } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: DEMO.echo, namespace: ns, labels: { app: DEMO.echo } },
      spec: {
        replicas: DEMO.replicas,
        selector: { matchLabels: { app: DEMO.echo } },
        template: {
          metadata: { labels: { app: DEMO.echo, version: 'v1' } },
          spec: { containers: [echoContainer('v1')] },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: DEMO.echo, namespace: ns, labels: { app: DEMO.echo } },
      spec: {
        selector: { app: DEMO.echo },
        ports: [{ name: 'http', port: DEMO.servicePort, targetPort: DEMO.httpPort, protocol: 'TCP' }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: DEMO.client, namespace: ns, labels: { app: DEMO.client } },
      spec: { containers: [echoContainer('client')] },
    },
  ];
}
