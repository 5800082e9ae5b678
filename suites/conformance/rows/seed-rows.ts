/**
 * @module suites/conformance/rows/seed-rows
 * Every row of the seed's two feature tables and two feature lists (seeds/000_85cc33091f0f640a.txt),
 * with the seed's own wording and the feature ids whose outcomes fill its cells. The feature table is
 * regenerated from exactly these rows, in this order.
 */
import type { SeedRow } from '../../../results/conformance/model.ts';

/** The seed file the rows are taken from (relative to the shared folder). */
export const SEED_FILE = 'seeds/000_85cc33091f0f640a.txt';

const FULL = 'Full Istio feature set';

/** "Sidecar or ambient?" comparison table: Sidecar | Ambient. */
const comparison: SeedRow[] = [
  {
    id: 'comparison.traffic-management',
    table: 'comparison',
    label: 'Traffic management',
    seedText: { sidecar: FULL, ambient: `${FULL} (requires using waypoint)` },
    features: [
      'traffic.l4.connection-lb',
      'traffic.tcp-shifting',
      'traffic.http-shifting',
      'l7.request-lb',
      'api.classic-apis',
      'l7.fault-injection',
      'l7.timeouts',
      'l7.retries',
      'l7.mirroring',
    ],
  },
  {
    id: 'comparison.security',
    table: 'comparison',
    label: 'Security',
    seedText: {
      sidecar: FULL,
      ambient: `${FULL}: encryption and L4 authorization in ambient mode. Requires waypoints for L7 authorization.`,
    },
    features: [
      'security.encryption',
      'security.spiffe-identity',
      'security.l4-authz.principal',
      'security.l4-authz.network',
      'l7.authz',
    ],
  },
  {
    id: 'comparison.observability',
    table: 'comparison',
    label: 'Observability',
    seedText: {
      sidecar: FULL,
      ambient: `${FULL}: L4 telemetry in ambient mode; L7 observability when using waypoint`,
    },
    features: [
      'observability.metrics.tcp',
      'observability.logs.l4',
      'l7.metrics',
      'l7.access-logs',
      'l7.tracing',
    ],
  },
  {
    id: 'comparison.extensibility',
    table: 'comparison',
    label: 'Extensibility',
    seedText: { sidecar: FULL, ambient: `${FULL} (requires using waypoint) α` },
    features: ['extensibility.wasm'],
  },
  {
    id: 'comparison.adding-workloads',
    table: 'comparison',
    label: 'Adding workloads to the mesh',
    seedText: {
      sidecar: 'Label a namespace and restart all pods to have sidecars added',
      ambient: 'Label a namespace - no pod restart required',
    },
    features: ['lifecycle.enrol-without-restart'],
  },
  {
    id: 'comparison.incremental',
    table: 'comparison',
    label: 'Incremental deployment',
    seedText: {
      sidecar: "Binary: sidecar is injected or it isn't",
      ambient: 'Gradual: L4 is always on, L7 can be added by configuration',
    },
    features: ['lifecycle.incremental'],
  },
  {
    id: 'comparison.lifecycle-management',
    table: 'comparison',
    label: 'Lifecycle management',
    seedText: { sidecar: 'Proxies managed by application developer', ambient: 'Platform administrator' },
    features: ['lifecycle.platform-managed-proxies'],
  },
  {
    id: 'comparison.utilization',
    table: 'comparison',
    label: 'Utilization of resources',
    seedText: {
      sidecar:
        'Wasteful; CPU and memory resources must be provisioned for worst case usage of each individual pod',
      ambient:
        'Waypoint proxies can be auto-scaled like any other Kubernetes deployment. A workload with many replicas can use one waypoint, vs. each one having its own sidecar.',
    },
    features: ['resources.shared-waypoint'],
  },
  {
    id: 'comparison.resource-cost',
    table: 'comparison',
    label: 'Average resource cost',
    seedText: { sidecar: 'Large', ambient: 'Small' },
    features: ['performance.resource-cost'],
  },
  {
    id: 'comparison.latency',
    table: 'comparison',
    label: 'Average latency (p90/p99)',
    seedText: { sidecar: '0.63ms-0.88ms', ambient: 'Ambient: 0.16ms-0.20ms Waypoint: 0.40ms-0.50ms' },
    features: ['performance.latency'],
  },
  {
    id: 'comparison.l7-steps',
    table: 'comparison',
    label: 'L7 processing steps',
    seedText: { sidecar: '2 (source and destination sidecar)', ambient: '1 (destination waypoint)' },
    features: ['l7.processing-steps'],
  },
  {
    id: 'comparison.config-scale',
    table: 'comparison',
    label: 'Configuration at scale',
    seedText: {
      sidecar: 'Requires configuration of the scope of each sidecar to reduce configuration',
      ambient: 'Works without custom configuration',
    },
    features: ['performance.config-scale'],
  },
  {
    id: 'comparison.server-first',
    table: 'comparison',
    label: 'Supports "server-first" protocols',
    seedText: { sidecar: 'Requires configuration', ambient: 'Yes' },
    features: ['protocols.server-first'],
  },
  {
    id: 'comparison.jobs',
    table: 'comparison',
    label: 'Support for Kubernetes Jobs',
    seedText: { sidecar: 'Complicated by long life of sidecar', ambient: 'Transparent' },
    features: ['lifecycle.jobs'],
  },
  {
    id: 'comparison.security-model',
    table: 'comparison',
    label: 'Security model',
    seedText: {
      sidecar: 'Strongest: each workload has its own keys',
      ambient: 'Strong: each node agent has only the keys for workloads on that node',
    },
    features: ['security.node-scoped-keys'],
  },
  {
    id: 'comparison.compromised-pod',
    table: 'comparison',
    label: 'Compromised application pod gives access to mesh keys',
    seedText: { sidecar: '(yes)', ambient: '(no)' },
    features: ['security.no-keys-in-app-pod'],
  },
  {
    id: 'comparison.support',
    table: 'comparison',
    label: 'Support',
    seedText: { sidecar: 'Stable, including multi-cluster', ambient: 'Beta, single-cluster' },
    features: ['install.multi-cluster'],
  },
  {
    id: 'comparison.platforms',
    table: 'comparison',
    label: 'Platforms supported',
    seedText: { sidecar: 'Kubernetes (any CNI) Virtual machines', ambient: 'Kubernetes (any CNI)' },
    features: ['platforms.vm'],
  },
];

/** "Layer 4 vs Layer 7 features" table: L4 (ztunnel) | L7 (waypoint or sidecar). */
const l4l7: SeedRow[] = [
  {
    id: 'l4-vs-l7.encryption',
    table: 'l4-vs-l7',
    section: 'Security',
    label: 'Encryption',
    seedText: {
      l4: 'All traffic between pods is encrypted using mTLS.',
      l7: 'N/A—service identity in Istio is based on TLS.',
    },
    features: ['security.encryption'],
  },
  {
    id: 'l4-vs-l7.authentication',
    table: 'l4-vs-l7',
    section: 'Security',
    label: 'Service-to-service authentication',
    seedText: {
      l4: "SPIFFE, via mTLS certificates. Istio issues a short-lived X.509 certificate that encodes the pod's service account identity.",
      l7: 'N/A—service identity in Istio is based on TLS.',
    },
    features: ['security.spiffe-identity', 'security.peer-authentication'],
  },
  {
    id: 'l4-vs-l7.authorization',
    table: 'l4-vs-l7',
    section: 'Security',
    label: 'Service-to-service authorization',
    seedText: {
      l4: 'Network-based authorization, plus identity-based policy, e.g.: A can accept inbound calls from only ""; A can call B.',
      l7: 'Full policy, e.g.: A can GET /foo on B only with valid end-user credentials containing the READ scope.',
    },
    features: ['security.l4-authz.network', 'security.l4-authz.principal', 'l7.authz'],
  },
  {
    id: 'l4-vs-l7.end-user-authentication',
    table: 'l4-vs-l7',
    section: 'Security',
    label: 'End-user authentication',
    seedText: {
      l4: "N/A—we can't apply per-user settings.",
      l7: 'Local authentication of JWTs, support for remote authentication via OAuth and OIDC flows.',
    },
    features: ['l7.jwt'],
  },
  {
    id: 'l4-vs-l7.end-user-authorization',
    table: 'l4-vs-l7',
    section: 'Security',
    label: 'End-user authorization',
    seedText: {
      l4: 'N/A—see above.',
      l7: 'Service-to-service policies can be extended to require end-user credentials with specific scopes, issuers, principal, audiences, etc. Full user-to-resource access can be implemented using external authorization, allowing per-request policy with decisions from an external service, e.g. OPA.',
    },
    features: ['l7.jwt-claims', 'l7.ext-authz'],
  },
  {
    id: 'l4-vs-l7.logging',
    table: 'l4-vs-l7',
    section: 'Observability',
    label: 'Logging',
    seedText: {
      l4: 'Basic network information: network 5-tuple, bytes sent/received, etc. See Envoy docs.',
      l7: 'Full request metadata logging, in addition to basic network information.',
    },
    features: ['observability.logs.l4', 'l7.access-logs'],
  },
  {
    id: 'l4-vs-l7.tracing',
    table: 'l4-vs-l7',
    section: 'Observability',
    label: 'Tracing',
    seedText: {
      l4: 'Not today; possible eventually with HBONE.',
      l7: 'Envoy participates in distributed tracing. See Istio overview on tracing.',
    },
    features: ['l7.tracing'],
  },
  {
    id: 'l4-vs-l7.metrics',
    table: 'l4-vs-l7',
    section: 'Observability',
    label: 'Metrics',
    seedText: {
      l4: 'TCP only (bytes sent/received, number of packets, etc.).',
      l7: 'L7 RED metrics: rate of requests, rate of errors, request duration (latency).',
    },
    features: ['observability.metrics.tcp', 'l7.metrics'],
  },
  {
    id: 'l4-vs-l7.load-balancing',
    table: 'l4-vs-l7',
    section: 'Traffic management',
    label: 'Load balancing',
    seedText: {
      l4: 'Connection level only. See TCP traffic shifting task.',
      l7: 'Per request, enabling e.g. canary deployments, gRPC traffic, etc. See HTTP traffic shifting task.',
    },
    features: ['traffic.l4.connection-lb', 'traffic.tcp-shifting', 'l7.request-lb', 'traffic.http-shifting'],
  },
  {
    id: 'l4-vs-l7.circuit-breaking',
    table: 'l4-vs-l7',
    section: 'Traffic management',
    label: 'Circuit breaking',
    seedText: { l4: 'TCP only.', l7: 'HTTP settings in addition to TCP.' },
    features: ['traffic.circuit-breaking.tcp', 'l7.circuit-breaking.http'],
  },
  {
    id: 'l4-vs-l7.outlier-detection',
    table: 'l4-vs-l7',
    section: 'Traffic management',
    label: 'Outlier detection',
    seedText: { l4: 'On connection establishment/failure.', l7: 'On request success/failure.' },
    features: ['traffic.outlier-detection.connect', 'l7.outlier-detection.request'],
  },
  {
    id: 'l4-vs-l7.rate-limiting',
    table: 'l4-vs-l7',
    section: 'Traffic management',
    label: 'Rate limiting',
    seedText: {
      l4: 'Rate limit on L4 connection data only, on connection establishment, with global and local rate limiting options.',
      l7: 'Rate limit on L7 request metadata, per request.',
    },
    features: ['traffic.rate-limit.connection', 'l7.rate-limit.request'],
  },
  {
    id: 'l4-vs-l7.timeouts',
    table: 'l4-vs-l7',
    section: 'Traffic management',
    label: 'Timeouts',
    seedText: {
      l4: 'Connection establishment only (connection keep-alive is configured via circuit breaking settings).',
      l7: 'Per request.',
    },
    features: ['traffic.timeout.connect', 'l7.timeouts'],
  },
  {
    id: 'l4-vs-l7.retries',
    table: 'l4-vs-l7',
    section: 'Traffic management',
    label: 'Retries',
    seedText: { l4: 'Retry connection establishment', l7: 'Retry per request failure.' },
    features: ['traffic.retry.connect', 'l7.retries'],
  },
  {
    id: 'l4-vs-l7.fault-injection',
    table: 'l4-vs-l7',
    section: 'Traffic management',
    label: 'Fault injection',
    seedText: {
      l4: 'N/A—fault injection cannot be configured on TCP connections.',
      l7: 'Full application and connection-level faults (timeouts, delays, specific response codes).',
    },
    features: ['l7.fault-injection'],
  },
  {
    id: 'l4-vs-l7.mirroring',
    table: 'l4-vs-l7',
    section: 'Traffic management',
    label: 'Traffic mirroring',
    seedText: { l4: 'N/A—HTTP only', l7: 'Percentage-based mirroring of requests to multiple backends.' },
    features: ['l7.mirroring'],
  },
];

/** "Supported features" list (ambient, Alpha as of Istio 1.22). */
const supported: SeedRow[] = [
  {
    id: 'supported.interop',
    table: 'supported-features',
    label: 'Interoperability with sidecars',
    seedText: { item: 'implemented (Alpha)' },
    features: ['interop.sidecar-ambient'],
  },
  {
    id: 'supported.classic-apis',
    table: 'supported-features',
    label: 'Istio’s classic APIs (VirtualService and DestinationRule)',
    seedText: { item: 'implemented (Alpha)' },
    features: ['api.classic-apis'],
  },
  {
    id: 'supported.multi-cluster',
    table: 'supported-features',
    label: 'Multi-cluster installations',
    seedText: { item: 'implemented (Alpha)' },
    features: ['install.multi-cluster'],
  },
  {
    id: 'supported.dns-proxying',
    table: 'supported-features',
    label: 'DNS proxying',
    seedText: { item: 'implemented (Alpha)' },
    features: ['dns.proxying'],
  },
  {
    id: 'supported.dual-stack',
    table: 'supported-features',
    label: 'IPv6/Dual stack',
    seedText: { item: 'implemented (Alpha)' },
    features: ['network.dual-stack'],
  },
  {
    id: 'supported.socks5',
    table: 'supported-features',
    label: 'SOCKS5 support (for outbound)',
    seedText: { item: 'implemented (Alpha)' },
    features: ['egress.socks5'],
  },
];

/** "Not yet implemented" list. */
const notYet: SeedRow[] = [
  {
    id: 'not-yet.controlled-egress',
    table: 'not-yet-implemented',
    label: 'Controlled egress traffic',
    seedText: { item: 'not yet implemented' },
    features: ['egress.controlled'],
  },
  {
    id: 'not-yet.multi-network',
    table: 'not-yet-implemented',
    label: 'Multi-network support',
    seedText: { item: 'not yet implemented' },
    features: ['network.multi-network'],
  },
  {
    id: 'not-yet.vm',
    table: 'not-yet-implemented',
    label: 'VM support',
    seedText: { item: 'not yet implemented' },
    features: ['platforms.vm'],
  },
];

/** All seed rows, in the seed's order. */
export const SEED_ROWS: readonly SeedRow[] = [...comparison, ...l4l7, ...supported, ...notYet];
