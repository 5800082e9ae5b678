/**
 * @module reference-impl/control-plane/model/build-model
 * The whole translation, pure: accepted objects → Workloads, Services, Authorizations, L7 resources,
 * per-service L4 traffic policies, the identities each node may ask certificates for, and translation warnings.
 */
import type { L4TrafficPolicy } from '../../api/l4.ts';
import type { L7Resources } from '../../api/l7.ts';
import type { Authorization, Service, Workload } from '../../api/workload.ts';
import type { MeshObject } from '../config/objects.ts';
import { policySelects, translateAuthorizationPolicy } from './authorization.ts';
import { translateL4Policies } from './l4-policies.ts';
import { translateServicePolicies } from './l7-policies.ts';
import { translateRouteTables } from './l7-routes.ts';
import { type MeshSettings, type ModelInput, namespaceLabels, objectsOf } from './model-input.ts';
import { peerAuthenticationFor, staticStrictPolicy } from './peer-authentication.ts';
import { serviceEntryEndpoints, translateServices } from './services.ts';
import { waypointIndex } from './waypoints.ts';
import { translatePod, translateServiceEntryWorkloads } from './workloads.ts';

/** Everything the control plane serves. */
export interface Model {
  workloads: Map<string, Workload>;
  services: Map<string, Service>;
  authorizations: Map<string, Authorization>;
  l7: L7Resources;
  /** Per-service L4 traffic policy for ztunnel, by service key (`namespace/hostname`). */
  l4: Map<string, L4TrafficPolicy>;
  /** node → `ns/sa` of the pods scheduled on it (CA node authorization). */
  identitiesByNode: Map<string, Set<string>>;
  warnings: string[];
}

const groupByNs = (objs: MeshObject[]) => {
  const m = new Map<string, MeshObject[]>();
  for (const o of objs) {
    const ns = o.metadata.namespace ?? '';
    const l = m.get(ns);
    if (l) l.push(o);
    else m.set(ns, [o]);
  }
  return m;
};

/** node → `ns/sa` of the workloads scheduled on it. */
export function identitiesByNode(workloads: Iterable<Workload>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const w of workloads) {
    if (!w.node) continue;
    let set = out.get(w.node);
    if (!set) {
      set = new Set<string>();
      out.set(w.node, set);
    }
    set.add(`${w.namespace}/${w.serviceAccount}`);
  }
  return out;
}

/**
 * True when pods influence more than their own Workload: some RequestAuthentication,
 * AuthorizationPolicy, Telemetry or PeerAuthentication selects pods by labels (L7 resources or
 * converted policies then depend on pods).
 */
export function podsAffectL7(input: ModelInput): boolean {
  return (['RequestAuthentication', 'AuthorizationPolicy', 'Telemetry', 'PeerAuthentication'] as const).some(
    (k) => objectsOf(input, k).some((o) => Object.keys(o.spec?.selector?.matchLabels ?? {}).length > 0),
  );
}

/**
 * Re-translates only `pods` (by `ns/name`; a missing pod is removed) against the rest of `input`,
 * for changes that touch nothing but Pods. Returns uid → Workload (undefined = remove).
 */
export function translatePods(
  input: ModelInput,
  settings: MeshSettings,
  pods: { namespace: string; name: string; object: MeshObject | undefined }[],
): Map<string, Workload | undefined> {
  const nsLabels = namespaceLabels(input);
  const waypoints = waypointIndex(input);
  const services = objectsOf(input, 'Service');
  const selectorPolicies = objectsOf(input, 'AuthorizationPolicy').filter(
    (p) => translateAuthorizationPolicy(p, settings).authorization?.scope === 'WORKLOAD_SELECTOR',
  );
  const peerAuths = objectsOf(input, 'PeerAuthentication');
  const seEndpoints = objectsOf(input, 'ServiceEntry').flatMap((se) => serviceEntryEndpoints(se, settings));
  const out = new Map<string, Workload | undefined>();
  for (const p of pods) {
    const uid = `${settings.clusterId}//Pod/${p.namespace}/${p.name}`;
    const pod = p.object;
    if (!pod) {
      out.set(uid, undefined);
      continue;
    }
    const w = translatePod(pod, {
      settings,
      nsLabels: nsLabels.get(p.namespace),
      services: services.filter((s) => s.metadata.namespace === p.namespace),
      waypoints,
      serviceEntryEndpoints: seEndpoints,
      policies: [
        ...selectorPolicies
          .filter((sp) => policySelects(sp, p.namespace, pod.metadata.labels, settings))
          .map((sp) => `${sp.metadata.namespace}/${sp.metadata.name}`),
        ...peerAuthenticationFor(pod, peerAuths, settings).keys,
      ],
    });
    out.set(uid, w);
  }
  return out;
}

/** Builds the model from the accepted objects. */
export function buildModel(input: ModelInput, settings: MeshSettings): Model {
  const warnings: string[] = [];
  const nsLabels = namespaceLabels(input);
  const waypoints = waypointIndex(input);
  const servicesByNs = groupByNs(objectsOf(input, 'Service'));
  const policies = objectsOf(input, 'AuthorizationPolicy');
  const authorizations = new Map<string, Authorization>();
  const selectorPolicies: MeshObject[] = [];
  for (const p of policies) {
    const r = translateAuthorizationPolicy(p, settings);
    warnings.push(...r.warnings);
    if (!r.authorization) continue;
    authorizations.set(`${r.authorization.namespace}/${r.authorization.name}`, r.authorization);
    if (r.authorization.scope === 'WORKLOAD_SELECTOR') selectorPolicies.push(p);
  }
  const peerAuths = objectsOf(input, 'PeerAuthentication');
  // Like Istio, the static STRICT policy exists whenever any PeerAuthentication asks for STRICT,
  // so a pod added later (incremental path) can reference it.
  if (peerAuths.some((p) => p.spec?.mtls?.mode === 'STRICT')) {
    const p = staticStrictPolicy(settings);
    authorizations.set(`${p.namespace}/${p.name}`, p);
  }
  const workloads = new Map<string, Workload>();
  const seEndpoints = objectsOf(input, 'ServiceEntry').flatMap((se) => serviceEntryEndpoints(se, settings));
  for (const pod of objectsOf(input, 'Pod')) {
    const ns = pod.metadata.namespace!;
    const podPolicies = selectorPolicies
      .filter((p) => policySelects(p, ns, pod.metadata.labels, settings))
      .map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    const pa = peerAuthenticationFor(pod, peerAuths, settings);
    const w = translatePod(pod, {
      settings,
      nsLabels: nsLabels.get(ns),
      services: servicesByNs.get(ns) ?? [],
      waypoints,
      policies: [...podPolicies, ...pa.keys],
      serviceEntryEndpoints: seEndpoints,
    });
    if (!w) continue;
    for (const p of pa.policies) authorizations.set(`${p.namespace}/${p.name}`, p);
    workloads.set(w.uid, w);
  }
  const podAddresses = new Set([...workloads.values()].flatMap((w) => w.addresses));
  for (const w of translateServiceEntryWorkloads(seEndpoints, settings, podAddresses))
    workloads.set(w.uid, w);
  const services = translateServices(input, settings);
  const routeTables = translateRouteTables(input, settings);
  const { trafficPolicies, security, telemetry } = translateServicePolicies(input, services, settings);
  const l4 = translateL4Policies(input, services, workloads, settings);
  warnings.push(...l4.warnings);
  return {
    workloads,
    services,
    authorizations,
    l7: { routeTables, trafficPolicies, security, telemetry },
    l4: l4.policies,
    identitiesByNode: identitiesByNode(workloads.values()),
    warnings,
  };
}
