/**
 * @module reference-impl/control-plane/control-plane
 * The reference control plane assembled: config store fed by a source, the model rebuilt on every
 * change (coalesced), resources published to the xDS store, the CA authorizing by the model's
 * pod-to-node placement, and the admin endpoints.
 */
import type { Logger } from '../../core/logger.ts';
import { TYPE_URL_L4_TRAFFIC_POLICY } from '../api/l4.ts';
import {
  L7_TYPE_URLS,
  TYPE_URL_L7_ROUTE_TABLE,
  TYPE_URL_L7_SECURITY,
  TYPE_URL_L7_TELEMETRY,
  TYPE_URL_L7_TRAFFIC_POLICY,
} from '../api/l7.ts';
import { type Address, TYPE_URL_ADDRESS, TYPE_URL_AUTHORIZATION } from '../api/workload.ts';
import { startAdminServer } from './admin/admin-server.ts';
import type { NodeTokens } from './auth/node-tokens.ts';
import { type ConfigStore, createConfigStore } from './config/config-store.ts';
import { createEventLog, type EventLog } from './config/event-log.ts';
import { KINDS, type Kind, type MeshObject } from './config/objects.ts';
import { createControlPlaneMetrics } from './metrics.ts';
import {
  buildModel,
  identitiesByNode,
  type Model,
  podsAffectL7,
  translatePods,
} from './model/build-model.ts';
import { translateL4Policies } from './model/l4-policies.ts';
import { DEFAULT_MESH_SETTINGS, type MeshSettings, type ModelInput } from './model/model-input.ts';
import { type Serving, startServing } from './server/serving.ts';

export interface ControlPlaneOptions {
  listen: { host: string; port: number };
  admin?: { host: string; port: number };
  trustDomain: string;
  caDir?: string;
  nodeTokens: NodeTokens;
  certTtlSeconds: number;
  logger: Logger;
  /** Attaches a config source to the store; returns its stop function. */
  source?: (store: ConfigStore, events: EventLog) => Promise<() => void>;
  settings?: Partial<MeshSettings>;
}

export interface ControlPlane {
  grpcPort: number;
  adminPort?: number;
  rootCertPem: string;
  store: ConfigStore;
  events: EventLog;
  serving: Serving;
  model(): Model;
  /** Rebuild now (normally automatic). */
  rebuild(origin?: number): void;
  close(): Promise<void>;
}

const mapToObject = <V>(m: Map<string, V>) => Object.fromEntries(m);

/** Starts a control plane. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const logger = options.logger;
  const settings: MeshSettings = {
    ...DEFAULT_MESH_SETTINGS,
    trustDomain: options.trustDomain,
    ...options.settings,
  };
  const metrics = createControlPlaneMetrics();
  const events = createEventLog();
  const store = createConfigStore({ logger, events, metrics });
  let model: Model = buildModel({}, settings);
  let ready = false;
  let lastWarnings = new Set<string>();

  const serving = await startServing({
    host: options.listen.host,
    port: options.listen.port,
    trustDomain: options.trustDomain,
    caDir: options.caDir,
    nodeTokens: options.nodeTokens,
    certTtlSeconds: options.certTtlSeconds,
    identityOnNode: (node, ns, sa) => model.identitiesByNode.get(node)?.has(`${ns}/${sa}`) ?? false,
    logger,
    metrics,
  });

  const rebuild = (origin?: number, input: ModelInput = snapshot()) => {
    model = buildModel(input, settings);
    const warnings = new Set(model.warnings);
    for (const w of warnings) if (!lastWarnings.has(w)) events.record({ level: 'warning', reason: w });
    lastWarnings = warnings;
    const addresses = new Map<string, Address>();
    for (const [k, w] of model.workloads) addresses.set(k, { workload: w });
    for (const [k, s] of model.services) addresses.set(k, { service: s });
    const rs = serving.store;
    rs.replaceType(TYPE_URL_ADDRESS, addresses, origin);
    rs.replaceType(TYPE_URL_AUTHORIZATION, model.authorizations, origin);
    rs.replaceType(TYPE_URL_L7_ROUTE_TABLE, model.l7.routeTables, origin);
    rs.replaceType(TYPE_URL_L7_TRAFFIC_POLICY, model.l7.trafficPolicies, origin);
    rs.replaceType(TYPE_URL_L7_SECURITY, model.l7.security, origin);
    rs.replaceType(TYPE_URL_L7_TELEMETRY, model.l7.telemetry, origin);
    rs.replaceType(TYPE_URL_L4_TRAFFIC_POLICY, model.l4, origin);
  };

  const snapshot = (): ModelInput => {
    const input: ModelInput = {};
    for (const k of KINDS) input[k as Kind] = store.list(k) as MeshObject[];
    return input;
  };

  /** Pod-only changes: re-translate just those pods (O(changed), not O(mesh)). */
  const updatePods = (keys: string[], origin?: number) => {
    const input = snapshot();
    if (podsAffectL7(input)) return rebuild(origin, input);
    const pods = keys.map((key) => {
      const [, namespace, name] = key.split('/') as [string, string, string];
      return { namespace, name, object: store.get('Pod', namespace, name) };
    });
    const patch = translatePods(input, settings, pods);
    const addresses = new Map<string, Address | undefined>();
    for (const [uid, w] of patch) {
      if (w) model.workloads.set(uid, w);
      else model.workloads.delete(uid);
      addresses.set(uid, w ? { workload: w } : undefined);
    }
    model.identitiesByNode = identitiesByNode(model.workloads.values());
    serving.store.patchType(TYPE_URL_ADDRESS, addresses, origin);
    // Subsets and rate-limit selectors resolve to workloads: follow pod changes (unchanged
    // policies keep their version and are not pushed).
    model.l4 = translateL4Policies(input, model.services, model.workloads, settings).policies;
    serving.store.replaceType(TYPE_URL_L4_TRAFFIC_POLICY, model.l4, origin);
  };

  // Coalesce bursts of changes into one rebuild; remember the oldest change for push latency.
  let pendingOrigin: number | undefined;
  let pendingKeys: { key: string; kind: Kind }[] = [];
  store.onChange(({ origin, key, kind }) => {
    pendingKeys.push({ key, kind });
    if (pendingOrigin !== undefined) return;
    pendingOrigin = origin;
    setImmediate(() => {
      const o = pendingOrigin;
      const keys = pendingKeys;
      pendingOrigin = undefined;
      pendingKeys = [];
      try {
        if (keys.every((k) => k.kind === 'Pod') && keys.length < 1000)
          updatePods([...new Set(keys.map((k) => k.key))], o);
        else rebuild(o);
      } catch (err) {
        logger.error('model: rebuild failed; previous model stays', { error: String(err) });
      }
    });
  });

  const stopSource = options.source ? await options.source(store, events) : undefined;
  rebuild();
  const admin = options.admin
    ? await startAdminServer(options.admin.host, options.admin.port, {
        ready: () => ready,
        model: () => ({
          workloads: mapToObject(model.workloads),
          services: mapToObject(model.services),
          authorizations: mapToObject(model.authorizations),
          l7: {
            routeTables: mapToObject(model.l7.routeTables),
            trafficPolicies: mapToObject(model.l7.trafficPolicies),
            security: mapToObject(model.l7.security),
            telemetry: mapToObject(model.l7.telemetry),
          },
          l4: mapToObject(model.l4),
          identitiesByNode: Object.fromEntries([...model.identitiesByNode].map(([n, s]) => [n, [...s]])),
          typeUrls: [TYPE_URL_ADDRESS, TYPE_URL_AUTHORIZATION, ...L7_TYPE_URLS, TYPE_URL_L4_TRAFFIC_POLICY],
        }),
        pushStatus: () => serving.xds.status(),
        events: () => events.list(),
        registry: metrics.registry,
      })
    : undefined;
  ready = true;
  logger.info('control plane serving', { grpcPort: serving.port, adminPort: admin?.port });
  return {
    grpcPort: serving.port,
    adminPort: admin?.port,
    rootCertPem: serving.ca.rootCertPem,
    store,
    events,
    serving,
    model: () => model,
    rebuild,
    async close() {
      ready = false;
      stopSource?.();
      await admin?.close();
      await serving.close(500);
    },
  };
}
