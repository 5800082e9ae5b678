/**
 * @module suites/conformance/rows/platform-features
 * Platform features from the "supported features" and "not yet implemented" lists: interop, DNS
 * proxying, SOCKS5, egress control, and what needs more than one local cluster (multi-cluster,
 * multi-network, dual stack, VMs).
 */
import type { FeatureDef } from '../../../results/conformance/model.ts';

/** Platform feature records. */
export const PLATFORM_FEATURES: FeatureDef[] = [
  {
    id: 'interop.sidecar-ambient',
    title: 'A sidecar client and an ambient server talk mTLS, both ways',
    layer: 'L4',
    profile: 'core',
    kind: 'test',
    seed: { row: 'supported.interop', column: 'item' },
    expected: { interop: 'supported' },
    negativeControl: 'server namespace not enrolled (plaintext, no identity)',
  },
  {
    id: 'dns.proxying',
    title: 'The node proxy answers DNS for ServiceEntry hosts',
    layer: 'L4',
    profile: 'extended',
    kind: 'test',
    seed: { row: 'supported.dns-proxying', column: 'item' },
    expected: {
      baseline: 'not-applicable',
      ambient: 'supported',
      waypoint: 'supported',
      sidecar: 'supported',
    },
    negativeControl: 'ServiceEntry not applied',
  },
  {
    id: 'egress.socks5',
    title: 'Outbound through the SOCKS5 listener (15080) reaches a mesh service',
    layer: 'L4',
    profile: 'extended',
    kind: 'test',
    seed: { row: 'supported.socks5', column: 'item' },
    expected: { baseline: 'not-applicable', ambient: 'supported', waypoint: 'supported' },
    negativeControl: 'client namespace not enrolled (no SOCKS5 listener)',
  },
  {
    id: 'egress.controlled',
    title: 'Egress to unregistered hosts is blocked (REGISTRY_ONLY)',
    layer: 'L4',
    profile: 'extended',
    kind: 'test',
    seed: { row: 'not-yet.controlled-egress', column: 'item' },
    expected: { sidecar: 'supported', ambient: 'not-applicable' },
    negativeControl: 'outboundTrafficPolicy ALLOW_ANY',
  },
  {
    id: 'install.multi-cluster',
    title: 'One mesh across several clusters',
    layer: 'platform',
    profile: 'extended',
    kind: 'environment',
    seed: { row: 'supported.multi-cluster', column: 'item' },
    expected: { sidecar: 'supported', ambient: 'supported' },
    externalReason: 'needs two clusters; the conformance run has one',
  },
  {
    id: 'network.dual-stack',
    title: 'IPv6 and dual-stack pods',
    layer: 'platform',
    profile: 'extended',
    kind: 'environment',
    seed: { row: 'supported.dual-stack', column: 'item' },
    expected: { sidecar: 'supported', ambient: 'supported' },
    externalReason: 'the local cluster is IPv4-only (198.18.0.0/15)',
  },
  {
    id: 'network.multi-network',
    title: 'Pods on networks without direct reachability',
    layer: 'platform',
    profile: 'extended',
    kind: 'environment',
    seed: { row: 'not-yet.multi-network', column: 'item' },
    expected: { sidecar: 'supported', ambient: 'not-applicable' },
    externalReason: 'needs two networks with an east-west gateway; the conformance run has one flat network',
  },
  {
    id: 'platforms.vm',
    title: 'Virtual machines join the mesh',
    layer: 'platform',
    profile: 'extended',
    kind: 'environment',
    seed: { row: 'not-yet.vm', column: 'item' },
    expected: { sidecar: 'supported', ambient: 'not-applicable' },
    externalReason: 'needs a VM outside the cluster',
  },
];
