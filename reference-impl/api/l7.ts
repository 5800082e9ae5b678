/**
 * @module reference-impl/api/l7
 * The L7 configuration a waypoint or a sidecar needs, as meshbench's own typed resources. The control
 * plane derives them from VirtualService, HTTPRoute, GRPCRoute, DestinationRule, RequestAuthentication,
 * L7 AuthorizationPolicy and Telemetry; proxies receive them on the same delta-xDS channel as the
 * workload API, one resource per service (key `namespace/hostname`), JSON inside a protobuf wrapper
 * (`meshbench.l7.<Name> { string json = 1 }`).
 */

export const TYPE_URL_L7_ROUTE_TABLE = 'type.googleapis.com/meshbench.l7.RouteTable';
export const TYPE_URL_L7_TRAFFIC_POLICY = 'type.googleapis.com/meshbench.l7.TrafficPolicy';
export const TYPE_URL_L7_SECURITY = 'type.googleapis.com/meshbench.l7.Security';
export const TYPE_URL_L7_TELEMETRY = 'type.googleapis.com/meshbench.l7.Telemetry';

/** Every L7 type URL, in the order a proxy should subscribe. */
export const L7_TYPE_URLS = [
  TYPE_URL_L7_ROUTE_TABLE,
  TYPE_URL_L7_TRAFFIC_POLICY,
  TYPE_URL_L7_SECURITY,
  TYPE_URL_L7_TELEMETRY,
] as const;

/** A string matcher as the Istio and Gateway APIs spell it. */
export type L7StringMatch =
  | { exact: string }
  | { prefix: string }
  | { regex: string }
  | { suffix: string }
  | { presence: true };

/** One request match: every present part must match (AND). */
export interface L7RouteMatch {
  path?: L7StringMatch;
  method?: string;
  /** Header name (lower case) → matcher. */
  headers?: Record<string, L7StringMatch>;
  queryParams?: Record<string, L7StringMatch>;
  /** Destination port the request arrived on (VirtualService `port`). */
  port?: number;
  /** gRPC `service` / `method` (GRPCRoute); matched against `/service/method`. */
  grpc?: { service?: string; method?: string };
}

/** Header edits, applied in order set, add, remove. */
export interface L7HeaderModifier {
  set?: Record<string, string>;
  add?: Record<string, string>;
  remove?: string[];
}

/** A weighted backend of a route. */
export interface L7Backend {
  /** Target service key `namespace/hostname`, or a bare hostname for ServiceEntry hosts. */
  service: string;
  port?: number;
  /** DestinationRule subset name, when the route selects one. */
  subset?: string;
  weight: number;
  requestHeaders?: L7HeaderModifier;
  responseHeaders?: L7HeaderModifier;
}

export interface L7Retry {
  attempts: number;
  perTryTimeoutMs?: number;
  /** Envoy-style conditions (`5xx`, `connect-failure`, `reset`, `retriable-status-codes`, ...). */
  retryOn: string[];
}

export interface L7Fault {
  delay?: { fixedDelayMs: number; percentage: number };
  abort?: { httpStatus?: number; grpcStatus?: number; percentage: number };
}

export interface L7Redirect {
  scheme?: string;
  host?: string;
  port?: number;
  path?: string;
  /** Replace only the matched prefix (Gateway API `ReplacePrefixMatch`). */
  prefix?: string;
  statusCode: number;
}

export interface L7Rewrite {
  host?: string;
  /** Replace the whole path. */
  path?: string;
  /** Replace the matched prefix. */
  prefix?: string;
}

/** One route: first route whose any match matches wins; no match list means match all. */
export interface L7Route {
  /** `<kind>/<namespace>/<name>#<index>`: where the route came from. */
  name: string;
  matches: L7RouteMatch[];
  backends: L7Backend[];
  requestHeaders?: L7HeaderModifier;
  responseHeaders?: L7HeaderModifier;
  rewrite?: L7Rewrite;
  redirect?: L7Redirect;
  /** Fixed response without a backend (e.g. VirtualService `directResponse`). */
  directResponse?: { status: number; body?: string };
  timeoutMs?: number;
  retries?: L7Retry;
  fault?: L7Fault;
  mirrors?: { service: string; port?: number; percentage: number }[];
}

/** `meshbench.l7.RouteTable`: the routes for one service. */
export interface L7RouteTable {
  /** `namespace/hostname` of the service. */
  service: string;
  /** Which API produced the routes; HTTPRoute/GRPCRoute take precedence over VirtualService. */
  source: 'VirtualService' | 'HTTPRoute' | 'GRPCRoute' | 'mixed';
  routes: L7Route[];
}

export interface L7ConnectionPool {
  tcp?: { maxConnections?: number; connectTimeoutMs?: number };
  http?: {
    http1MaxPendingRequests?: number;
    http2MaxRequests?: number;
    maxRequestsPerConnection?: number;
    maxRetries?: number;
    idleTimeoutMs?: number;
  };
}

export interface L7OutlierDetection {
  consecutive5xxErrors?: number;
  consecutiveGatewayErrors?: number;
  intervalMs?: number;
  baseEjectionTimeMs?: number;
  maxEjectionPercent?: number;
}

export interface L7LoadBalancer {
  simple?: 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM' | 'PASSTHROUGH' | 'UNSPECIFIED';
  consistentHash?: { header?: string; cookie?: string; sourceIp?: boolean; queryParameter?: string };
}

export interface L7TlsSettings {
  mode: 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';
  sni?: string;
}

export interface L7PolicySettings {
  connectionPool?: L7ConnectionPool;
  outlierDetection?: L7OutlierDetection;
  loadBalancer?: L7LoadBalancer;
  tls?: L7TlsSettings;
}

/** `meshbench.l7.TrafficPolicy`: DestinationRule for one service. */
export interface L7TrafficPolicy extends L7PolicySettings {
  service: string;
  /** `namespace/name` of the DestinationRule. */
  source: string;
  subsets: { name: string; labels: Record<string, string>; policy?: L7PolicySettings }[];
  /** Per-port overrides. */
  portPolicies?: { port: number; policy: L7PolicySettings }[];
  /**
   * EnvoyFilter `envoy.filters.http.local_ratelimit` on this service's L7 proxy (waypoint, or
   * sidecar inbound): a token bucket over its requests; a request finding it empty is answered 429.
   * Set even without a DestinationRule (then `source` names the EnvoyFilter, `subsets` is empty).
   */
  localRateLimit?: L7LocalRateLimit;
}

/** A local HTTP rate limit (Envoy's token bucket: starts full, `tokensPerFill` every interval). */
export interface L7LocalRateLimit {
  maxTokens: number;
  tokensPerFill: number;
  fillIntervalMs: number;
  /** `namespace/name` of the EnvoyFilter. */
  source: string;
}

export interface L7JwtRule {
  issuer: string;
  audiences: string[];
  jwksUri?: string;
  /** Inline JWKS (JSON text), when given. */
  jwks?: string;
  fromHeaders: { name: string; prefix?: string }[];
  fromParams: string[];
  forwardOriginalToken: boolean;
  outputPayloadToHeader?: string;
}

/** One L7 authorization rule; empty arrays mean "any". Matches Istio's Rule semantics. */
export interface L7AuthorizationRule {
  from: {
    principals: string[];
    notPrincipals: string[];
    requestPrincipals: string[];
    notRequestPrincipals: string[];
    namespaces: string[];
    notNamespaces: string[];
    ipBlocks: string[];
    notIpBlocks: string[];
    remoteIpBlocks: string[];
    notRemoteIpBlocks: string[];
  }[];
  to: {
    hosts: string[];
    notHosts: string[];
    ports: string[];
    notPorts: string[];
    methods: string[];
    notMethods: string[];
    paths: string[];
    notPaths: string[];
  }[];
  when: { key: string; values: string[]; notValues: string[] }[];
}

export interface L7AuthorizationPolicy {
  /** `namespace/name`. */
  name: string;
  action: 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';
  rules: L7AuthorizationRule[];
  dryRun: boolean;
}

/** `meshbench.l7.Security`: request authentication and L7 authorization for one service. */
export interface L7Security {
  service: string;
  jwtRules: L7JwtRule[];
  /** RequestAuthentication objects that produced `jwtRules`, `namespace/name`. */
  requestAuthentications: string[];
  authorizationPolicies: L7AuthorizationPolicy[];
}

/** `meshbench.l7.Telemetry`: Telemetry API settings in force for one service. */
export interface L7Telemetry {
  service: string;
  /** `namespace/name` of the Telemetry objects applied, root namespace first. */
  sources: string[];
  tracing?: { randomSamplingPercentage?: number; disableSpanReporting?: boolean; providers: string[] };
  accessLogging?: { disabled: boolean; providers: string[]; filter?: string };
  metrics?: { disabled: boolean; providers: string[]; tagOverrides: Record<string, string | null> };
}

/** All L7 resources the control plane serves, keyed by type URL then by service key. */
export interface L7Resources {
  routeTables: Map<string, L7RouteTable>;
  trafficPolicies: Map<string, L7TrafficPolicy>;
  security: Map<string, L7Security>;
  telemetry: Map<string, L7Telemetry>;
}
