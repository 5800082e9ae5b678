/**
 * @module reference-impl/control-plane/model/build-model
 * The whole translation, pure: accepted objects → Workloads, Services, Authorizations, L7 resources,
 * the identities each node may ask certificates for, and translation warnings.
 */
import type { L7Resources } from '../../api/l7.ts';
import type { Authorization, Service, Workload } from '../../api/workload.ts';
import type { MeshObject } from '../config/objects.ts';
import { policySelects, translateAuthorizationPolicy } from './authorization.ts';
import { translateServicePolicies } from './l7-policies.ts';
import { translateRouteTables } from './l7-routes.ts';
import { type MeshSettings, type ModelInput, namespaceLabels, objectsOf } from './model-input.ts';
import { translateServices } from './services.ts';
import { waypointIndex } from './waypoints.ts';
import { translatePod } from './workloads.ts';

/** Everything the control plane serves. */
export interface Model {
  workloads: Map<string, Workload>;
  services: Map<string, Service>;
  authorizations: Map<string, Authorization>;
  l7: L7Resources;
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
  const workloads = new Map<string, Workload>();
  const identitiesByNode = new Map<string, Set<string>>();
  for (const pod of objectsOf(input, 'Pod')) {
    const ns = pod.metadata.namespace!;
    const podPolicies = selectorPolicies
      .filter((p) => policySelects(p, ns, pod.metadata.labels, settings))
      .map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    const w = translatePod(pod, {
      settings,
      nsLabels: nsLabels.get(ns),
      services: servicesByNs.get(ns) ?? [],
      waypoints,
      policies: podPolicies,
    });
    if (!w) continue;
    workloads.set(w.uid, w);
    if (w.node) {
      const set = identitiesByNode.get(w.node) ?? new Set<string>();
      set.add(`${w.namespace}/${w.serviceAccount}`);
      identitiesByNode.set(w.node, set);
    }
  }
  const services = translateServices(input, settings);
  const routeTables = translateRouteTables(input, settings);
  const { trafficPolicies, security, telemetry } = translateServicePolicies(input, services, settings);
  return {
    workloads,
    services,
    authorizations,
    l7: { routeTables, trafficPolicies, security, telemetry },
    identitiesByNode,
    warnings,
  };
}
