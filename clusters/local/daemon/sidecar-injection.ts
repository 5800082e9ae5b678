/**
 * @module clusters/local/daemon/sidecar-injection
 * Istio's sidecar injector (a mutating admission step): a pod created in a namespace labelled
 * `istio-injection=enabled` (or carrying the pod label `sidecar.istio.io/inject=true`), unless the pod
 * says `sidecar.istio.io/inject: "false"`, gets an `istio-proxy` container FIRST that runs the reference
 * sidecar (reference-impl/sidecar/main.ts) in the pod's network namespace and cgroup, with a
 * readiness probe on 15021 and a postStart hook on the same endpoint, so the kubelet holds the app
 * containers until the proxy is ready (Istio's `holdApplicationUntilProxyStarts`). The sidecar
 * installs the pod's capture rules itself (istio-init's role). Only creation injects: labelling a
 * namespace changes no running pod; a restart (new pods from the template) does.
 */
import { join } from 'node:path';
import type { KubeObject } from '../../cluster.ts';
import { nodeFlagsFor } from '../node-flags.ts';
import type { ContainerSpec, PodSpec } from './kubelet.ts';
import { sidecarEntry } from './sidecar-program.ts';

export const INJECTION_LABEL = 'istio-injection';
export const INJECT = 'sidecar.istio.io/inject';
export const STATUS_ANNOTATION = 'sidecar.istio.io/status';
export const PROXY_CONTAINER = 'istio-proxy';
const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
const READY = { path: '/healthz/ready', port: 15021 };

/** Where the injected sidecar finds the mesh (the local provider's mesh dir and istiod). */
export interface InjectionTarget {
  /** Holds `ca/root-cert.pem` and `token-<node>` (written by `installReferenceMesh`). */
  meshDir: string;
  /** istiod's xDS + CA address, `ip:15012`. */
  xds: string;
}

/** True when `pod` must get a sidecar given its namespace's labels (the injector's policy). */
export function wantsSidecar(pod: KubeObject, nsLabels: Record<string, string> | undefined): boolean {
  const spec = pod.spec as PodSpec | undefined;
  if (!spec || spec.hostNetwork === true) return false;
  const labels = pod.metadata.labels ?? {};
  // A waypoint's own pods are proxies themselves.
  if (labels[GATEWAY_NAME_LABEL]) return false;
  if (pod.metadata.annotations?.[STATUS_ANNOTATION]) return false;
  if (spec.containers.some((c) => c.name === PROXY_CONTAINER)) return false;
  const optOut = labels[INJECT] ?? pod.metadata.annotations?.[INJECT];
  if (optOut === 'false') return false;
  return optOut === 'true' || nsLabels?.[INJECTION_LABEL] === 'enabled';
}

/** The container the injector adds. */
export function proxyContainer(target: InjectionTarget): ContainerSpec & Record<string, unknown> {
  return {
    name: PROXY_CONTAINER,
    image: 'meshbench/sidecar',
    command: [
      process.execPath,
      ...nodeFlagsFor('sidecar'),
      sidecarEntry(target.meshDir),
      '--xds',
      target.xds,
      '--ca-root',
      join(target.meshDir, 'ca', 'root-cert.pem'),
      '--token-dir',
      target.meshDir,
    ],
    readinessProbe: { httpGet: READY, periodSeconds: 2 },
    lifecycle: { postStart: { httpGet: READY } },
  };
}

/** `pod` with the sidecar injected when it wants one (a copy), else `pod` itself. */
export function injectSidecar(
  pod: KubeObject,
  nsLabels: Record<string, string> | undefined,
  target: InjectionTarget,
): KubeObject {
  if (pod.kind !== 'Pod' || !wantsSidecar(pod, nsLabels)) return pod;
  const out = structuredClone(pod);
  const spec = out.spec as PodSpec;
  spec.containers = [proxyContainer(target), ...spec.containers];
  out.metadata.labels = {
    ...out.metadata.labels,
    'security.istio.io/tlsMode': 'istio',
    'networking.istio.io/tunnel': 'http',
    'service.istio.io/canonical-name': out.metadata.labels?.app ?? out.metadata.name,
  };
  out.metadata.annotations = {
    ...out.metadata.annotations,
    [STATUS_ANNOTATION]: JSON.stringify({
      initContainers: null,
      containers: [PROXY_CONTAINER],
      volumes: [],
      imagePullSecrets: null,
      revision: 'default',
    }),
  };
  return out;
}

/** The containers of a stored pod as its author wrote them (the injected proxy left out). */
export function appContainers(pod: KubeObject): ContainerSpec[] {
  const containers = (pod.spec as PodSpec).containers;
  return pod.metadata.annotations?.[STATUS_ANNOTATION]
    ? containers.filter((c) => c.name !== PROXY_CONTAINER)
    : containers;
}
