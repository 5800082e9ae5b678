/**
 * @module suites/conformance/implementations/reference
 * meshbench's own reference mesh (reference-impl/): control plane, ztunnel, node agent. Declares the
 * ambient L4 data plane; waypoint, sidecar and interop are declared once their proxies land.
 */
import type { ImplementationManifest } from './manifest.ts';

const AMBIENT = ['ambient'] as const;

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
  modes: ['ambient'],
  features: {
    'security.encryption': AMBIENT,
    'security.spiffe-identity': AMBIENT,
    'security.peer-authentication': AMBIENT,
    'security.l4-authz.principal': AMBIENT,
    'security.l4-authz.network': AMBIENT,
    'security.node-scoped-keys': AMBIENT,
    'security.no-keys-in-app-pod': AMBIENT,
    'traffic.l4.connection-lb': AMBIENT,
    'traffic.outlier-detection.connect': AMBIENT,
    'traffic.retry.connect': AMBIENT,
    'observability.metrics.tcp': AMBIENT,
    'observability.logs.l4': AMBIENT,
    'lifecycle.enrol-without-restart': AMBIENT,
    'lifecycle.platform-managed-proxies': AMBIENT,
    'protocols.server-first': AMBIENT,
    'egress.socks5': AMBIENT,
    'traffic.tcp-shifting': AMBIENT,
    'traffic.circuit-breaking.tcp': AMBIENT,
    'traffic.rate-limit.connection': AMBIENT,
    'traffic.timeout.connect': AMBIENT,
    'lifecycle.jobs': AMBIENT,
    'dns.proxying': AMBIENT,
  },
  notes: {
    waypoint: 'the reference waypoint is not built yet',
    sidecar: 'the reference sidecar is not built yet',
    interop: 'needs the reference sidecar',
  },
};
