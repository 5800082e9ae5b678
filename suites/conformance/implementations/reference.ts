/**
 * @module suites/conformance/implementations/reference
 * meshbench's own reference mesh (reference-impl/): control plane, ztunnel, node agent, waypoint.
 * Declares the ambient L4 data plane, the waypoint, the sidecar and sidecar↔ambient interop (rows
 * green in 3 runs, negative controls confirmed).
 */
import type { ImplementationManifest } from './manifest.ts';

const AMBIENT = ['ambient'] as const;
const WAYPOINT = ['waypoint'] as const;
const SIDECAR = ['sidecar'] as const;
const INTEROP = ['interop'] as const;

/** The reference mesh's declaration. */
export const referenceManifest: ImplementationManifest = {
  info: {
    organization: 'meshbench',
    project: 'meshbench reference mesh',
    url: 'https://github.com/meshbench/meshbench/tree/main/reference-impl',
    version: '0.1.0',
    contact: ['meshbench maintainers'],
  },
  install: { implementation: 'reference' },
  modes: ['ambient', 'waypoint', 'sidecar', 'interop'],
  features: {
    'security.encryption': [...AMBIENT, ...WAYPOINT, ...SIDECAR, ...INTEROP],
    'security.spiffe-identity': [...AMBIENT, ...WAYPOINT, ...SIDECAR, ...INTEROP],
    'security.peer-authentication': [...AMBIENT, ...WAYPOINT, ...SIDECAR],
    'security.l4-authz.principal': [...AMBIENT, ...WAYPOINT, ...SIDECAR, ...INTEROP],
    'security.l4-authz.network': [...AMBIENT, ...WAYPOINT, ...SIDECAR],
    'security.node-scoped-keys': [...AMBIENT, ...WAYPOINT],
    'security.no-keys-in-app-pod': [...AMBIENT, ...WAYPOINT],
    'traffic.l4.connection-lb': [...AMBIENT, ...WAYPOINT, ...SIDECAR],
    'traffic.outlier-detection.connect': [...AMBIENT, ...WAYPOINT, ...SIDECAR],
    'traffic.retry.connect': [...AMBIENT, ...WAYPOINT, ...SIDECAR],
    'observability.metrics.tcp': [...AMBIENT, ...WAYPOINT, ...SIDECAR, ...INTEROP],
    'observability.logs.l4': [...AMBIENT, ...WAYPOINT, ...SIDECAR],
    'lifecycle.enrol-without-restart': [...AMBIENT, ...WAYPOINT],
    'lifecycle.platform-managed-proxies': [...AMBIENT, ...WAYPOINT],
    'protocols.server-first': [...AMBIENT, ...WAYPOINT, ...SIDECAR, ...INTEROP],
    'egress.socks5': [...AMBIENT, ...WAYPOINT],
    'traffic.tcp-shifting': [...AMBIENT, ...WAYPOINT, ...SIDECAR],
    'traffic.circuit-breaking.tcp': [...AMBIENT, ...WAYPOINT],
    'traffic.rate-limit.connection': [...AMBIENT, ...WAYPOINT],
    'traffic.timeout.connect': [...AMBIENT, ...WAYPOINT, ...SIDECAR],
    'lifecycle.jobs': [...AMBIENT, ...WAYPOINT],
    'dns.proxying': [...AMBIENT, ...WAYPOINT],
    'api.classic-apis': WAYPOINT,
    'l7.access-logs': [...WAYPOINT, ...SIDECAR],
    'l7.authz': [...WAYPOINT, ...SIDECAR],
    'l7.fault-injection': [...WAYPOINT, ...SIDECAR],
    'l7.jwt': [...WAYPOINT, ...SIDECAR],
    'l7.jwt-claims': [...WAYPOINT, ...SIDECAR],
    'l7.metrics': [...WAYPOINT, ...SIDECAR],
    'l7.mirroring': [...WAYPOINT, ...SIDECAR],
    'l7.processing-steps': [...WAYPOINT, ...SIDECAR],
    'l7.request-lb': [...WAYPOINT, ...SIDECAR],
    'l7.retries': [...WAYPOINT, ...SIDECAR],
    'l7.timeouts': [...WAYPOINT, ...SIDECAR],
    'l7.tracing': [...WAYPOINT, ...SIDECAR],
    'resources.shared-waypoint': WAYPOINT,
    'traffic.http-shifting': [...WAYPOINT, ...SIDECAR],
    'l7.circuit-breaking.http': [...WAYPOINT, ...SIDECAR],
    'l7.rate-limit.request': WAYPOINT,
    'interop.sidecar-ambient': INTEROP,
  },
  notes: {
    'traffic.circuit-breaking.tcp':
      'sidecar: failed in the first full sidecar run (2026-11-26), not investigated yet (the sidecar reuses the ztunnel outbound path)',
    'traffic.rate-limit.connection':
      'sidecar: failed in the first full sidecar run (2026-11-26), not investigated yet (the sidecar reuses the ztunnel outbound path)',
    'api.classic-apis':
      'sidecar: a VirtualService header match to a DestinationRule subset failed (2026-11-26): the L7 engine does not select subsets by labels',
    'dns.proxying':
      'sidecar: the reference sidecar has no DNS proxy (Istio sidecars need ISTIO_META_DNS_CAPTURE)',
  },
};
