/**
 * @module reference-impl/ztunnel/state/workload-store
 * What ztunnel knows about the mesh: workloads, services, authorization policies and per-service L4
 * traffic policies, indexed for the data path (by IP, by VIP, by hostname). Only the xDS client (or a test) writes it; listeners read it
 * and subscribe to changes (a policy change re-checks live connections).
 */
import type { L4TrafficPolicy } from '../../api/l4.ts';
import type { Authorization, Service, Workload } from '../../api/workload.ts';
import { authorizationKey, serviceKey } from '../../api/workload.ts';

/** What changed. */
export type StoreChange =
  | { kind: 'workload'; key: string }
  | { kind: 'service'; key: string }
  | { kind: 'authorization'; key: string }
  | { kind: 'traffic-policy'; key: string };

/** Read side of the store, used by the data path. */
export interface WorkloadState {
  workloadByUid(uid: string): Workload | undefined;
  workloadByIp(ip: string): Workload | undefined;
  serviceByVip(ip: string): Service | undefined;
  serviceByHostname(hostname: string): Service | undefined;
  serviceByKey(key: string): Service | undefined;
  /** Workloads backing service `namespace/hostname`, with their port list for it. */
  endpointsOf(service: Service): Workload[];
  /** The policies that apply to `workload`: global, its namespace's, and those selecting it. */
  policiesFor(workload: Workload): Authorization[];
  /** The L4 traffic policy toward service `namespace/hostname`, if any. */
  trafficPolicy(serviceKey: string): L4TrafficPolicy | undefined;
  subscribe(fn: (change: StoreChange) => void): () => void;
  snapshot(): {
    workloads: Workload[];
    services: Service[];
    policies: Authorization[];
    trafficPolicies: L4TrafficPolicy[];
  };
}

/** Write side, for the xDS client and tests. */
export interface WorkloadStore extends WorkloadState {
  upsertWorkload(w: Workload): void;
  removeWorkload(uid: string): void;
  upsertService(s: Service): void;
  removeService(key: string): void;
  upsertAuthorization(a: Authorization): void;
  removeAuthorization(key: string): void;
  upsertTrafficPolicy(p: L4TrafficPolicy): void;
  removeTrafficPolicy(serviceKey: string): void;
}

/** Creates an empty in-memory store. */
export function createWorkloadStore(): WorkloadStore {
  const workloads = new Map<string, Workload>();
  const byIp = new Map<string, string>();
  /** Service key → uids of the workloads behind it (endpointsOf runs on every new connection). */
  const byService = new Map<string, Set<string>>();
  const services = new Map<string, Service>();
  const byVip = new Map<string, string>();
  const policies = new Map<string, Authorization>();
  const trafficPolicies = new Map<string, L4TrafficPolicy>();
  const listeners = new Set<(c: StoreChange) => void>();
  const emit = (c: StoreChange) => {
    for (const fn of listeners) fn(c);
  };

  const unindexWorkload = (uid: string) => {
    const old = workloads.get(uid);
    if (!old) return;
    for (const ip of old.addresses) if (byIp.get(ip) === uid) byIp.delete(ip);
    for (const key of Object.keys(old.services)) {
      const uids = byService.get(key);
      uids?.delete(uid);
      if (uids?.size === 0) byService.delete(key);
    }
  };
  const unindexService = (key: string) => {
    const old = services.get(key);
    if (old) for (const a of old.addresses) if (byVip.get(a.address) === key) byVip.delete(a.address);
  };

  return {
    workloadByUid: (uid) => workloads.get(uid),
    workloadByIp: (ip) => {
      const uid = byIp.get(ip);
      return uid === undefined ? undefined : workloads.get(uid);
    },
    serviceByVip: (ip) => {
      const key = byVip.get(ip);
      return key === undefined ? undefined : services.get(key);
    },
    serviceByHostname: (hostname) => {
      for (const s of services.values()) if (s.hostname === hostname) return s;
      return undefined;
    },
    serviceByKey: (key) => services.get(key),
    endpointsOf: (service) => {
      const out: Workload[] = [];
      for (const uid of byService.get(serviceKey(service)) ?? []) {
        const w = workloads.get(uid);
        if (w) out.push(w);
      }
      return out;
    },
    policiesFor: (w) =>
      [...policies.values()].filter(
        (p) =>
          p.scope === 'GLOBAL' ||
          (p.scope === 'NAMESPACE' && p.namespace === w.namespace) ||
          (p.scope === 'WORKLOAD_SELECTOR' && w.authorizationPolicies.includes(authorizationKey(p))),
      ),
    trafficPolicy: (key) => trafficPolicies.get(key),
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    snapshot: () => ({
      workloads: [...workloads.values()],
      services: [...services.values()],
      policies: [...policies.values()],
      trafficPolicies: [...trafficPolicies.values()],
    }),
    upsertWorkload(w) {
      unindexWorkload(w.uid);
      workloads.set(w.uid, w);
      for (const ip of w.addresses) byIp.set(ip, w.uid);
      for (const key of Object.keys(w.services)) {
        const uids = byService.get(key) ?? new Set<string>();
        byService.set(key, uids);
        uids.add(w.uid);
      }
      emit({ kind: 'workload', key: w.uid });
    },
    removeWorkload(uid) {
      unindexWorkload(uid);
      if (workloads.delete(uid)) emit({ kind: 'workload', key: uid });
    },
    upsertService(s) {
      const key = serviceKey(s);
      unindexService(key);
      services.set(key, s);
      for (const a of s.addresses) byVip.set(a.address, key);
      emit({ kind: 'service', key });
    },
    removeService(key) {
      unindexService(key);
      if (services.delete(key)) emit({ kind: 'service', key });
    },
    upsertAuthorization(a) {
      const key = authorizationKey(a);
      policies.set(key, a);
      emit({ kind: 'authorization', key });
    },
    removeAuthorization(key) {
      if (policies.delete(key)) emit({ kind: 'authorization', key });
    },
    upsertTrafficPolicy(p) {
      trafficPolicies.set(p.service, p);
      emit({ kind: 'traffic-policy', key: p.service });
    },
    removeTrafficPolicy(key) {
      if (trafficPolicies.delete(key)) emit({ kind: 'traffic-policy', key });
    },
  };
}
