/**
 * @module reference-impl/control-plane/xds/delta-server
 * Delta ADS (`DeltaAggregatedResources`) over a resource store: per stream and type URL it keeps what
 * the proxy holds (name → version), sends the initial snapshot (minus what the proxy already has per
 * `initial_resource_versions`), pushes changed and removed resources as the store changes, and tracks
 * ACK/NACK per nonce. A NACK keeps the proxy on its previous versions: the server forgets it sent the
 * rejected versions, so the next change resends. Wildcard subscriptions only (as ztunnel uses).
 */
import { randomUUID } from 'node:crypto';
import { type Metadata, type ServerDuplexStream, status } from '@grpc/grpc-js';
import type { Logger } from '../../../core/logger.ts';
import type { ControlPlaneMetrics } from '../metrics.ts';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse, XdsResource } from '../wire/grpc-services.ts';
import type { ResourceChange, ResourceStore } from './resource-store.ts';

/** At most this many resources per response, so one response stays well under gRPC's 4 MiB default. */
export const MAX_RESOURCES_PER_RESPONSE = 2000;
/** Unanswered responses remembered per stream for ACK/NACK matching. */
const MAX_PENDING = 1000;

/** Per type URL state of one stream, as /debug/push-status shows it. */
export interface TypeStatus {
  typeUrl: string;
  resources: number;
  lastNonceSent?: string;
  lastNonceAcked?: string;
  ackedVersion?: string;
  lastPushAt?: string;
  lastNack?: { nonce: string; message: string; at: string };
  pushes: number;
  nacks: number;
}

/** One connected proxy. */
export interface ProxyStatus {
  streamId: string;
  node: string;
  nodeId: string;
  connectedAt: string;
  types: TypeStatus[];
}

interface Pending {
  typeUrl: string;
  systemVersion: string;
  /** Versions the proxy held before this response, for the resources it carried (undefined = none). */
  previous: Map<string, string | undefined>;
}

interface Subscription {
  /** name → version the proxy is believed to hold. */
  held: Map<string, string>;
  status: TypeStatus;
}

type Stream = ServerDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;

export interface DeltaServerOptions {
  store: ResourceStore;
  /** Returns the authenticated node for a call's metadata, or undefined to refuse. */
  authenticate: (md: Metadata) => string | undefined;
  logger: Logger;
  metrics?: ControlPlaneMetrics;
  /** Called after a response was written (bench, tests). */
  onPush?: (info: { node: string; typeUrl: string; resources: number; removed: number }) => void;
}

/** Creates the delta ADS handler and its status view. */
export function createDeltaServer(options: DeltaServerOptions) {
  const { store, logger, metrics } = options;
  const streams = new Map<
    string,
    { node: string; nodeId: string; connectedAt: string; subs: Map<string, Subscription> }
  >();
  const pushers = new Set<(c: ResourceChange) => void>();
  store.onChange((c) => {
    for (const p of pushers) p(c);
  });

  function handle(call: Stream): void {
    const node = options.authenticate(call.metadata);
    if (node === undefined) {
      logger.warn('xds: refused stream without a valid node token', { peer: call.getPeer() });
      call.emit('error', { code: status.UNAUTHENTICATED, details: 'missing or unknown bearer token' });
      return;
    }
    const streamId = randomUUID();
    const log = logger.child({ stream: streamId, node });
    const state = {
      node,
      nodeId: '',
      connectedAt: new Date().toISOString(),
      subs: new Map<string, Subscription>(),
    };
    streams.set(streamId, state);
    metrics?.connectedProxies.set(streams.size);
    const pending = new Map<string, Pending>();
    let closed = false;

    const send = (
      typeUrl: string,
      sub: Subscription,
      names: Iterable<string>,
      removedIn: Iterable<string>,
      origin?: number,
    ) => {
      const all = store.all(typeUrl);
      const resources: XdsResource[] = [];
      const removed: string[] = [];
      const previous = new Map<string, string | undefined>();
      for (const name of names) {
        const r = all.get(name);
        if (!r || sub.held.get(name) === r.version) continue;
        previous.set(name, sub.held.get(name));
        sub.held.set(name, r.version);
        resources.push({ name, version: r.version, resource: { typeUrl, value: r.bytes } });
      }
      for (const name of removedIn) {
        if (!sub.held.has(name) || all.has(name)) continue;
        previous.set(name, sub.held.get(name));
        sub.held.delete(name);
        removed.push(name);
      }
      const systemVersion = store.typeVersion(typeUrl);
      const write = (chunk: XdsResource[], rem: string[]) => {
        const nonce = randomUUID();
        const chunkPrev = new Map<string, string | undefined>();
        for (const r of chunk) chunkPrev.set(r.name, previous.get(r.name));
        for (const n of rem) chunkPrev.set(n, previous.get(n));
        pending.set(nonce, { typeUrl, systemVersion, previous: chunkPrev });
        // A proxy that never answers must not grow this map without bound.
        if (pending.size > MAX_PENDING) pending.delete(pending.keys().next().value!);
        call.write({
          systemVersionInfo: systemVersion,
          typeUrl,
          resources: chunk,
          removedResources: rem,
          nonce,
        });
        sub.status.lastNonceSent = nonce;
        sub.status.lastPushAt = new Date().toISOString();
        sub.status.pushes++;
        sub.status.resources = sub.held.size;
        metrics?.pushes.inc({ type_url: typeUrl });
        if (origin !== undefined) metrics?.pushLatency.observe((performance.now() - origin) / 1000);
        options.onPush?.({ node, typeUrl, resources: chunk.length, removed: rem.length });
      };
      if (resources.length === 0 && removed.length === 0) return false;
      for (let i = 0; i < resources.length; i += MAX_RESOURCES_PER_RESPONSE) {
        const last = i + MAX_RESOURCES_PER_RESPONSE >= resources.length;
        write(resources.slice(i, i + MAX_RESOURCES_PER_RESPONSE), last ? removed : []);
      }
      if (resources.length === 0) write([], removed);
      return true;
    };

    const pusher = (c: ResourceChange) => {
      if (closed) return;
      const sub = state.subs.get(c.typeUrl);
      if (!sub) return;
      send(c.typeUrl, sub, c.changed, c.removed, c.origin);
    };
    pushers.add(pusher);

    const onRequest = (req: DeltaDiscoveryRequest) => {
      if (req.node?.id) state.nodeId = req.node.id;
      const typeUrl = req.typeUrl;
      if (!typeUrl) {
        log.warn('xds: request without type_url ignored');
        return;
      }
      if (req.responseNonce) {
        const p = pending.get(req.responseNonce);
        pending.delete(req.responseNonce);
        const sub = state.subs.get(typeUrl);
        if (!p || !sub) return;
        if (req.errorDetail && (req.errorDetail.code !== 0 || req.errorDetail.message)) {
          // NACK: the proxy kept its previous versions of these resources.
          for (const [name, v] of p.previous) {
            if (v === undefined) sub.held.delete(name);
            else sub.held.set(name, v);
          }
          sub.status.nacks++;
          sub.status.lastNack = {
            nonce: req.responseNonce,
            message: req.errorDetail.message,
            at: new Date().toISOString(),
          };
          sub.status.resources = sub.held.size;
          metrics?.nacks.inc({ type_url: typeUrl });
          log.warn('xds: NACK', { typeUrl, nonce: req.responseNonce, error: req.errorDetail.message });
        } else {
          sub.status.lastNonceAcked = req.responseNonce;
          sub.status.ackedVersion = p.systemVersion;
        }
        return;
      }
      // A new subscription (or a re-subscription after reconnect): send what the proxy lacks.
      let sub = state.subs.get(typeUrl);
      if (!sub) {
        sub = { held: new Map(), status: { typeUrl, resources: 0, pushes: 0, nacks: 0 } };
        state.subs.set(typeUrl, sub);
      }
      for (const [name, version] of Object.entries(req.initialResourceVersions ?? {}))
        sub.held.set(name, version);
      const all = store.all(typeUrl);
      const sent = send(typeUrl, sub, all.keys(), [...sub.held.keys()]);
      if (!sent) {
        // Always answer a subscription so the proxy knows its state is current.
        const nonce = randomUUID();
        pending.set(nonce, { typeUrl, systemVersion: store.typeVersion(typeUrl), previous: new Map() });
        call.write({
          systemVersionInfo: store.typeVersion(typeUrl),
          typeUrl,
          resources: [],
          removedResources: [],
          nonce,
        });
        sub.status.lastNonceSent = nonce;
        sub.status.lastPushAt = new Date().toISOString();
        sub.status.pushes++;
      }
      log.debug('xds: subscribed', {
        typeUrl,
        initial: Object.keys(req.initialResourceVersions ?? {}).length,
      });
    };

    const close = () => {
      if (closed) return;
      closed = true;
      pushers.delete(pusher);
      streams.delete(streamId);
      metrics?.connectedProxies.set(streams.size);
      log.info('xds: stream closed');
    };
    call.on('data', (req: DeltaDiscoveryRequest) => {
      try {
        onRequest(req);
      } catch (err) {
        log.error('xds: request failed', { error: String(err) });
      }
    });
    call.on('end', () => {
      close();
      call.end();
    });
    call.on('error', close);
    call.on('close', close);
    call.on('cancelled', close);
    log.info('xds: stream opened');
  }

  return {
    /** The grpc-js handler for `DeltaAggregatedResources`. */
    handler: handle,
    /** Per connected proxy: node, per-type acked versions and last push. */
    status(): ProxyStatus[] {
      return [...streams].map(([streamId, s]) => ({
        streamId,
        node: s.node,
        nodeId: s.nodeId,
        connectedAt: s.connectedAt,
        types: [...s.subs.values()].map((sub) => ({ ...sub.status })),
      }));
    },
    /** Number of connected proxies. */
    connected(): number {
      return streams.size;
    },
  };
}

export type DeltaServer = ReturnType<typeof createDeltaServer>;
