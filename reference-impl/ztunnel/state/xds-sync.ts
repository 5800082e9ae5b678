/**
 * @module reference-impl/ztunnel/state/xds-sync
 * Feeds the workload store from the control plane's xDS client: every applied change event is
 * copied into the store (the only writer), keys as on the wire. The L4 traffic policies arrive only
 * when the client subscribed to their type URL (`ZTUNNEL_TYPE_URLS`).
 */
import { type L4TrafficPolicy, TYPE_URL_L4_TRAFFIC_POLICY } from '../../api/l4.ts';
import { TYPE_URL_ADDRESS, TYPE_URL_AUTHORIZATION } from '../../api/workload.ts';
import type { XdsClient } from '../../control-plane/client/index.ts';
import type { WorkloadStore } from './workload-store.ts';

/** What ztunnel subscribes to. */
export const ZTUNNEL_TYPE_URLS = [TYPE_URL_ADDRESS, TYPE_URL_AUTHORIZATION, TYPE_URL_L4_TRAFFIC_POLICY];

/** Copies the client's current stores and follows its changes; returns a stop function. */
export function syncFromXds(client: XdsClient, store: WorkloadStore): () => void {
  const apply = (typeUrl: string, names: string[], removed: string[]) => {
    if (typeUrl === TYPE_URL_ADDRESS) {
      for (const n of removed) {
        store.removeWorkload(n);
        store.removeService(n);
      }
      for (const n of names) {
        const w = client.workloads.get(n);
        if (w) store.upsertWorkload(w);
        const s = client.services.get(n);
        if (s) store.upsertService(s);
      }
    } else if (typeUrl === TYPE_URL_AUTHORIZATION) {
      for (const n of removed) store.removeAuthorization(n);
      for (const n of names) {
        const a = client.authorizations.get(n);
        if (a) store.upsertAuthorization(a);
      }
    } else if (typeUrl === TYPE_URL_L4_TRAFFIC_POLICY) {
      const held = client.resources(TYPE_URL_L4_TRAFFIC_POLICY);
      for (const n of removed) store.removeTrafficPolicy(n);
      for (const n of names) {
        const p = held.get(n) as L4TrafficPolicy | undefined;
        if (p) store.upsertTrafficPolicy({ ...p, service: n });
      }
    }
  };
  apply(TYPE_URL_ADDRESS, [...client.workloads.keys(), ...client.services.keys()], []);
  apply(TYPE_URL_AUTHORIZATION, [...client.authorizations.keys()], []);
  apply(TYPE_URL_L4_TRAFFIC_POLICY, [...client.resources(TYPE_URL_L4_TRAFFIC_POLICY).keys()], []);
  const onChange = (e: { typeUrl: string; upserted: string[]; removed: string[] }) =>
    apply(e.typeUrl, e.upserted, e.removed);
  client.on('change', onChange);
  return () => client.off('change', onChange);
}
