/**
 * @module reference-impl/control-plane/model/model-input
 * The input of the pure model functions: the accepted objects by kind plus the mesh settings, and
 * small helpers (label selection, namespace labels) they share.
 */
import type { Kind, MeshObject } from '../config/objects.ts';

/** Mesh-wide settings of the translation. */
export interface MeshSettings {
  /** Istio's default cluster id. */
  clusterId: string;
  trustDomain: string;
  /** Policies here with no selector are GLOBAL. */
  rootNamespace: string;
  /** DNS suffix of service hostnames. */
  domainSuffix: string;
  network: string;
}

export const DEFAULT_MESH_SETTINGS: MeshSettings = {
  clusterId: 'Kubernetes',
  trustDomain: 'cluster.local',
  rootNamespace: 'istio-system',
  domainSuffix: 'cluster.local',
  network: '',
};

/** Objects by kind. */
export type ModelInput = Partial<Record<Kind, MeshObject[]>>;

/** Objects of `kind` in `input`. */
export const objectsOf = (input: ModelInput, kind: Kind): MeshObject[] => input[kind] ?? [];

/** True when every `selector` label is on `labels` (an empty selector selects everything). */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return false;
  return true;
}

/** Namespace name → labels. */
export function namespaceLabels(input: ModelInput): Map<string, Record<string, string>> {
  return new Map(objectsOf(input, 'Namespace').map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
}

/** Service hostname: `<name>.<ns>.svc.<suffix>`. */
export const serviceHostname = (name: string, ns: string, settings: MeshSettings): string =>
  `${name}.${ns}.svc.${settings.domainSuffix}`;
