/**
 * @module reference-impl/node-agent/enrolment
 * Which pods of this node are in ambient mode (pure): the pod's or its namespace's
 * `istio.io/dataplane-mode=ambient` label (a pod label `none` opts out; sidecar-injected pods are
 * skipped), Pending or Running, with an IP and the `meshbench.io/netns` annotation (a Pending pod with
 * both has its network namespace: capture can be set up before its containers start).
 */
import type { ZdsPod } from '../ztunnel/zds/protocol.ts';

/** The fields of a Pod / Namespace the agent reads. */
export interface PodLike {
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: { nodeName?: string; serviceAccountName?: string };
  status?: { podIP?: string; podIPs?: Array<{ ip: string }>; phase?: string };
}
export interface NamespaceLike {
  metadata: { name: string; labels?: Record<string, string> };
}

export const DATAPLANE_MODE = 'istio.io/dataplane-mode';
export const NETNS_ANNOTATION = 'meshbench.io/netns';

/** The ZDS pod to enrol, or undefined when `pod` must not be captured on `node`. */
export function enrolledPod(
  pod: PodLike,
  namespace: NamespaceLike | undefined,
  node: string,
): ZdsPod | undefined {
  const m = pod.metadata;
  if (pod.spec?.nodeName !== node) return undefined;
  const phase = pod.status?.phase;
  if (phase && phase !== 'Running' && phase !== 'Pending') return undefined;
  const podMode = m.labels?.[DATAPLANE_MODE];
  const nsMode = namespace?.metadata.labels?.[DATAPLANE_MODE];
  const ambient = podMode === 'ambient' || (podMode !== 'none' && nsMode === 'ambient');
  if (!ambient) return undefined;
  if (m.annotations?.['sidecar.istio.io/status']) return undefined;
  const netns = m.annotations?.[NETNS_ANNOTATION];
  const ips = pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
  if (!netns || ips.length === 0) return undefined;
  const ns = m.namespace ?? 'default';
  return {
    uid: m.uid || `${ns}/${m.name}`,
    name: m.name,
    namespace: ns,
    netns,
    ips,
    serviceAccount: pod.spec?.serviceAccountName || 'default',
  };
}
