/**
 * @module reference-impl/api/l4
 * The per-service L4 traffic policy ztunnel applies on its outbound path, as meshbench's own typed
 * resource (Istio's workload.proto has no fields for it). The control plane derives it from
 * DestinationRule `connectionPool.tcp` (connect timeout, max connections), DestinationRule subsets
 * with VirtualService `tcp` routes (weighted shifting) and EnvoyFilter `local_ratelimit` (token
 * bucket on connection establishment). Served on the same delta-xDS channel as the workload API,
 * one resource per destination service (key `namespace/hostname`), JSON inside a protobuf wrapper
 * (`meshbench.l4.TrafficPolicy { string json = 1 }`).
 */

export const TYPE_URL_L4_TRAFFIC_POLICY = 'type.googleapis.com/meshbench.l4.TrafficPolicy';

/** Envoy's local rate limit token bucket: starts full, `tokensPerFill` added every `fillIntervalMs`. */
export interface L4TokenBucket {
  maxTokens: number;
  tokensPerFill: number;
  fillIntervalMs: number;
}

/** One weighted destination of a TCP route. */
export interface L4Backend {
  /** Service key `namespace/hostname` whose endpoints carry the connection. */
  service: string;
  /** Service port to connect to; the connection's own port when absent. */
  port?: number;
  /** DestinationRule subset name, when the route selects one. */
  subset?: string;
  /**
   * Workload uids of the subset (resolved by the control plane from the subset's labels); absent =
   * every endpoint of `service`. An empty list means the subset selects nothing.
   */
  workloads?: string[];
  weight: number;
}

/** One VirtualService `tcp` route: the first whose `port` matches (or has none) wins. */
export interface L4Route {
  /** `VirtualService/<namespace>/<name>#<index>`. */
  name: string;
  /** Destination ports it matches; empty = every port. */
  ports: number[];
  backends: L4Backend[];
}

/** `meshbench.l4.TrafficPolicy`: what ztunnel applies to connections toward one service. */
export interface L4TrafficPolicy {
  /** `namespace/hostname` of the destination service. */
  service: string;
  /** Objects it came from, `Kind namespace/name`. */
  sources: string[];
  /** DestinationRule `connectionPool.tcp.connectTimeout`. */
  connectTimeoutMs?: number;
  /** DestinationRule `connectionPool.tcp.maxConnections`, per source pod; overflow is refused. */
  maxConnections?: number;
  /** EnvoyFilter local rate limit on new connections toward the selected workloads' service. */
  connectionRateLimit?: L4TokenBucket;
  /** VirtualService `tcp` routes, in order. */
  routes: L4Route[];
}
