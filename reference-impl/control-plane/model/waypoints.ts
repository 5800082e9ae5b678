/**
 * @module reference-impl/control-plane/model/waypoints
 * Waypoint attachment by the `istio.io/use-waypoint` label at namespace, service and pod level (the
 * more specific level wins; `none` opts out), honouring the waypoint Gateway's
 * `istio.io/waypoint-for` (service (default), workload, all, none) and
 * `istio.io/use-waypoint-namespace` for a waypoint in another namespace.
 */
import type { GatewayAddress } from '../../api/workload.ts';
import type { MeshObject } from '../config/objects.ts';
import { type MeshSettings, type ModelInput, objectsOf, serviceHostname } from './model-input.ts';

export const USE_WAYPOINT = 'istio.io/use-waypoint';
export const USE_WAYPOINT_NAMESPACE = 'istio.io/use-waypoint-namespace';
export const WAYPOINT_FOR = 'istio.io/waypoint-for';
/** Label kubelet-side tooling puts on a Gateway's own pods. */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
/** HBONE port of a waypoint. */
export const WAYPOINT_HBONE_PORT = 15008;

export type WaypointFor = 'service' | 'workload' | 'all' | 'none';

/** Waypoint Gateways (class istio-waypoint) by `ns/name`. */
export function waypointIndex(input: ModelInput): Map<string, MeshObject> {
  const out = new Map<string, MeshObject>();
  for (const g of objectsOf(input, 'Gateway')) {
    if (g.spec?.gatewayClassName === 'istio-waypoint')
      out.set(`${g.metadata.namespace}/${g.metadata.name}`, g);
  }
  return out;
}

const labelRef = (labels: Record<string, string> | undefined, ns: string) => {
  const name = labels?.[USE_WAYPOINT];
  if (name === undefined) return undefined;
  return { name, namespace: labels?.[USE_WAYPOINT_NAMESPACE] ?? ns };
};

/**
 * The waypoint for an object in `ns` with `labels`, for traffic `kind` (`service` or `workload`).
 * Object labels override namespace labels; `none` opts out; the waypoint must exist and serve `kind`.
 */
export function resolveWaypoint(
  kind: 'service' | 'workload',
  ns: string,
  labels: Record<string, string> | undefined,
  nsLabels: Record<string, string> | undefined,
  waypoints: Map<string, MeshObject>,
  settings: MeshSettings,
): GatewayAddress | undefined {
  const ref = labelRef(labels, ns) ?? labelRef(nsLabels, ns);
  if (!ref || ref.name === 'none' || ref.name === '') return undefined;
  const gw = waypoints.get(`${ref.namespace}/${ref.name}`);
  if (!gw) return undefined;
  const forWhat = (gw.metadata.labels?.[WAYPOINT_FOR] ?? 'service') as WaypointFor;
  if (forWhat === 'none' || (forWhat !== 'all' && forWhat !== kind)) return undefined;
  return {
    destination: {
      hostname: { namespace: ref.namespace, hostname: serviceHostname(ref.name, ref.namespace, settings) },
    },
    hboneMtlsPort: WAYPOINT_HBONE_PORT,
  };
}
