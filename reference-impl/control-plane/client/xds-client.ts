/**
 * @module reference-impl/control-plane/client/xds-client
 * The proxy side of delta ADS, for ztunnel and waypoints: subscribes (wildcard) to the given type
 * URLs, keeps typed stores (workloads by uid, services by `namespace/hostname`, authorizations by
 * `namespace/name`, L7 resources by type URL and service), ACKs good responses and NACKs bad ones
 * (keeping the previous config), and reconnects with exponential backoff, resuming with
 * `initial_resource_versions`. While disconnected the stores keep serving the last config.
 */
import { EventEmitter } from 'node:events';
import {
  type ClientDuplexStream,
  credentials,
  Metadata,
  makeGenericClientConstructor,
  status,
} from '@grpc/grpc-js';
import type { Logger } from '../../../core/logger.ts';
import { silentLogger } from '../../../core/logger.ts';
import {
  type Authorization,
  type Service,
  serviceKey,
  TYPE_URL_ADDRESS,
  TYPE_URL_AUTHORIZATION,
  type Workload,
} from '../../api/workload.ts';
import {
  adsServiceDefinition,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
} from '../wire/grpc-services.ts';
import { decodeResource } from '../wire/resource-codec.ts';
import { DEFAULT_SERVER_NAME } from './ca-client.ts';

/** One applied change to the stores. */
export interface XdsChangeEvent {
  typeUrl: string;
  /** Names added or updated. */
  upserted: string[];
  removed: string[];
  /** Time the response was applied (`performance.now()`). */
  at: number;
}

export interface XdsClientOptions {
  /** `host:port` of the control plane. */
  address: string;
  /** PEM of the mesh root: the control plane's serving certificate chains to it. */
  rootCertPem: string;
  /** Bearer token of this node proxy (`--node-tokens`). */
  token: string;
  /** xDS node id (e.g. `ztunnel~<node>`). */
  node: string;
  /** Type URLs to subscribe; default Address and Authorization. */
  typeUrls?: string[];
  logger?: Logger;
  /** TLS name to verify; default `istiod.istio-system.svc`. */
  serverName?: string;
  /** Extra validation: return a message to NACK the whole response. */
  validate?: (typeUrl: string, name: string, value: unknown) => string | undefined;
  backoff?: { initialMs?: number; maxMs?: number };
}

interface Held {
  version: string;
  value: unknown;
}

/** Typed events of the client. */
export interface XdsClientEvents {
  change: [XdsChangeEvent];
  connected: [];
  disconnected: [{ code?: number; message: string }];
  /** Every subscribed type received its first response on the current stream. */
  synced: [];
  nack: [{ typeUrl: string; message: string }];
}

/** A running delta xDS client. */
export interface XdsClient extends EventEmitter<XdsClientEvents> {
  readonly workloads: ReadonlyMap<string, Workload>;
  readonly services: ReadonlyMap<string, Service>;
  readonly authorizations: ReadonlyMap<string, Authorization>;
  /** L7 (and any other) resources: type URL → name → decoded value. */
  resources(typeUrl: string): ReadonlyMap<string, unknown>;
  /** Version the client holds of each resource of `typeUrl`. */
  versions(typeUrl: string): ReadonlyMap<string, string>;
  readonly connected: boolean;
  /** Resolves once every type got a response on a stream (now or later); rejects on timeout. */
  waitSynced(timeoutMs?: number): Promise<void>;
  /** Stops reconnecting and closes the stream. */
  close(): void;
}

/** Creates and starts a delta xDS client. */
export function createXdsClient(options: XdsClientOptions): XdsClient {
  const logger = options.logger ?? silentLogger;
  const typeUrls = options.typeUrls ?? [TYPE_URL_ADDRESS, TYPE_URL_AUTHORIZATION];
  const initialMs = options.backoff?.initialMs ?? 100;
  const maxMs = options.backoff?.maxMs ?? 5000;
  const Ctor = makeGenericClientConstructor(adsServiceDefinition(), 'AggregatedDiscoveryService');
  const channelOptions: Record<string, unknown> = {
    'grpc.max_receive_message_length': 256 * 1024 * 1024,
    'grpc.keepalive_time_ms': 30_000,
  };
  // Verify the control plane by its service name (in its certificate next to its IPs); this also
  // avoids sending an IP as TLS SNI.
  channelOptions['grpc.ssl_target_name_override'] = options.serverName ?? DEFAULT_SERVER_NAME;
  const grpcClient = new Ctor(
    options.address,
    credentials.createSsl(Buffer.from(options.rootCertPem)),
    channelOptions,
  );

  const held = new Map<string, Map<string, Held>>(typeUrls.map((t) => [t, new Map()]));
  const workloads = new Map<string, Workload>();
  const services = new Map<string, Service>();
  const authorizations = new Map<string, Authorization>();
  const emitter = new EventEmitter<XdsClientEvents>();

  let stream: ClientDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> | undefined;
  let closed = false;
  let connected = false;
  let synced = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let seen = new Set<string>();

  const heldOf = (typeUrl: string) => {
    let m = held.get(typeUrl);
    if (!m) {
      m = new Map();
      held.set(typeUrl, m);
    }
    return m;
  };

  const project = (typeUrl: string, name: string, value: unknown | undefined) => {
    if (typeUrl === TYPE_URL_ADDRESS) {
      if (value === undefined) {
        workloads.delete(name);
        services.delete(name);
      } else if ('workload' in (value as object)) {
        workloads.set(name, (value as { workload: Workload }).workload);
      } else {
        const s = (value as { service: Service }).service;
        services.set(name || serviceKey(s), s);
      }
    } else if (typeUrl === TYPE_URL_AUTHORIZATION) {
      if (value === undefined) authorizations.delete(name);
      else authorizations.set(name, value as Authorization);
    }
  };

  const request = (req: Partial<DeltaDiscoveryRequest> & { typeUrl: string }) => {
    stream?.write({
      node: { id: options.node, cluster: '' },
      resourceNamesSubscribe: [],
      resourceNamesUnsubscribe: [],
      initialResourceVersions: {},
      responseNonce: '',
      ...req,
    });
  };

  const onResponse = (res: DeltaDiscoveryResponse) => {
    const typeUrl = res.typeUrl;
    const decoded: [string, string, unknown][] = [];
    let error: string | undefined;
    for (const r of res.resources ?? []) {
      try {
        if (r.resource?.typeUrl && r.resource.typeUrl !== typeUrl) {
          throw new Error(`resource type ${r.resource.typeUrl} in a ${typeUrl} response`);
        }
        const value = decodeResource(typeUrl, r.resource?.value ?? new Uint8Array());
        const problem = options.validate?.(typeUrl, r.name, value);
        if (problem) throw new Error(problem);
        decoded.push([r.name, r.version, value]);
      } catch (err) {
        error = `resource ${r.name}: ${err instanceof Error ? err.message : String(err)}`;
        break;
      }
    }
    if (error) {
      logger.warn('xds-client: NACK', { typeUrl, nonce: res.nonce, error });
      request({
        typeUrl,
        responseNonce: res.nonce,
        errorDetail: { code: status.INVALID_ARGUMENT, message: error },
      });
      emitter.emit('nack', { typeUrl, message: error });
    } else {
      const h = heldOf(typeUrl);
      for (const [name, version, value] of decoded) {
        h.set(name, { version, value });
        project(typeUrl, name, value);
      }
      const removed = (res.removedResources ?? []).filter((n) => h.delete(n));
      for (const n of removed) project(typeUrl, n, undefined);
      request({ typeUrl, responseNonce: res.nonce });
      if (decoded.length || removed.length) {
        emitter.emit('change', {
          typeUrl,
          upserted: decoded.map((d) => d[0]),
          removed,
          at: performance.now(),
        });
      }
    }
    if (!seen.has(typeUrl)) {
      seen.add(typeUrl);
      if (!synced && typeUrls.every((t) => seen.has(t))) {
        synced = true;
        emitter.emit('synced');
      }
    }
  };

  const scheduleReconnect = () => {
    if (closed || timer) return;
    const delay = Math.min(maxMs, initialMs * 2 ** attempt) * (0.75 + Math.random() * 0.5);
    attempt++;
    timer = setTimeout(() => {
      timer = undefined;
      connect();
    }, delay);
  };

  const connect = () => {
    if (closed) return;
    const md = new Metadata();
    md.set('authorization', `Bearer ${options.token}`);
    const s = (
      grpcClient as unknown as { DeltaAggregatedResources(md: Metadata): typeof stream }
    ).DeltaAggregatedResources(md)!;
    stream = s;
    seen = new Set();
    synced = false;
    let ended = false;
    const onEnd = (info: { code?: number; message: string }) => {
      if (ended) return;
      ended = true;
      if (stream === s) stream = undefined;
      if (connected) {
        connected = false;
        emitter.emit('disconnected', info);
      }
      logger.info('xds-client: stream ended', info);
      scheduleReconnect();
    };
    s.on('data', (res: DeltaDiscoveryResponse) => {
      if (!connected) {
        connected = true;
        attempt = 0;
        emitter.emit('connected');
      }
      try {
        onResponse(res);
      } catch (err) {
        logger.error('xds-client: response handling failed', { error: String(err) });
      }
    });
    s.on('error', (err: Error & { code?: number }) => onEnd({ code: err.code, message: err.message }));
    s.on('end', () => onEnd({ message: 'stream ended by server' }));
    for (const typeUrl of typeUrls) {
      const initialResourceVersions: Record<string, string> = {};
      for (const [name, h] of heldOf(typeUrl)) initialResourceVersions[name] = h.version;
      request({ typeUrl, initialResourceVersions });
    }
  };

  const client = Object.assign(emitter, {
    workloads,
    services,
    authorizations,
    resources(typeUrl: string): ReadonlyMap<string, unknown> {
      return new Map([...heldOf(typeUrl)].map(([k, v]) => [k, v.value]));
    },
    versions(typeUrl: string): ReadonlyMap<string, string> {
      return new Map([...heldOf(typeUrl)].map(([k, v]) => [k, v.version]));
    },
    waitSynced(timeoutMs = 10_000): Promise<void> {
      if (synced) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => {
          emitter.off('synced', done);
          reject(new Error(`xds-client: not synced with ${options.address} within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(t);
          resolve();
        };
        emitter.once('synced', done);
      });
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      stream?.cancel();
      stream = undefined;
      grpcClient.close();
    },
  });
  Object.defineProperty(client, 'connected', { get: () => connected, enumerable: true });
  connect();
  return client as unknown as XdsClient;
}
