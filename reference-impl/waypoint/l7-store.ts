/**
 * @module reference-impl/waypoint/l7-store
 * The L7 resources a proxy holds, fed from the control plane's xDS client: four maps by service key
 * (`namespace/hostname`), updated in place on every applied change so the data path reads them
 * without copying.
 */
import {
  type L7Resources,
  TYPE_URL_L7_ROUTE_TABLE,
  TYPE_URL_L7_SECURITY,
  TYPE_URL_L7_TELEMETRY,
  TYPE_URL_L7_TRAFFIC_POLICY,
} from '../api/l7.ts';
import type { XdsClient } from '../control-plane/client/index.ts';

/** Empty L7 resources. */
export function emptyL7Resources(): L7Resources {
  return { routeTables: new Map(), trafficPolicies: new Map(), security: new Map(), telemetry: new Map() };
}

/** Keeps `target` equal to the client's L7 resources; returns a stop function. */
export function syncL7FromXds(client: XdsClient, target: L7Resources): () => void {
  const maps: Record<string, Map<string, unknown>> = {
    [TYPE_URL_L7_ROUTE_TABLE]: target.routeTables,
    [TYPE_URL_L7_TRAFFIC_POLICY]: target.trafficPolicies,
    [TYPE_URL_L7_SECURITY]: target.security,
    [TYPE_URL_L7_TELEMETRY]: target.telemetry,
  };
  const apply = (typeUrl: string, upserted: string[], removed: string[]) => {
    const m = maps[typeUrl];
    if (!m) return;
    const current = client.resources(typeUrl);
    for (const n of removed) m.delete(n);
    for (const n of upserted) {
      const v = current.get(n);
      if (v !== undefined) m.set(n, v);
    }
  };
  for (const t of Object.keys(maps)) apply(t, [...client.resources(t).keys()], []);
  const onChange = (e: { typeUrl: string; upserted: string[]; removed: string[] }) =>
    apply(e.typeUrl, e.upserted, e.removed);
  client.on('change', onChange);
  return () => client.off('change', onChange);
}

/** Keeps `target` equal to the client's resources of one other type (e.g. the L4 traffic policy). */
export function syncMapFromXds<T>(client: XdsClient, typeUrl: string, target: Map<string, T>): () => void {
  const apply = (upserted: string[], removed: string[]) => {
    const current = client.resources(typeUrl);
    for (const n of removed) target.delete(n);
    for (const n of upserted) {
      const v = current.get(n);
      if (v !== undefined) target.set(n, v as T);
    }
  };
  apply([...client.resources(typeUrl).keys()], []);
  const onChange = (e: { typeUrl: string; upserted: string[]; removed: string[] }) => {
    if (e.typeUrl === typeUrl) apply(e.upserted, e.removed);
  };
  client.on('change', onChange);
  return () => client.off('change', onChange);
}
