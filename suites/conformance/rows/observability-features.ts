/**
 * @module suites/conformance/rows/observability-features
 * Observability features: L4 TCP metrics and connection logs, L7 RED metrics, access logs, tracing,
 * and the number of L7 processing steps a request takes.
 */
import type { FeatureDef } from '../../../results/conformance/model.ts';
import { L4_MESH_INTEROP, L7_MESH } from './expectations.ts';

/** Observability feature records. */
export const OBSERVABILITY_FEATURES: FeatureDef[] = [
  {
    id: 'observability.metrics.tcp',
    title: 'TCP metrics: connections opened, bytes sent and received, with source and destination workload',
    layer: 'L4',
    profile: 'core',
    kind: 'test',
    seed: { row: 'l4-vs-l7.metrics', column: 'l4' },
    expected: { ...L4_MESH_INTEROP, baseline: undefined },
    negativeControl: 'client and server namespaces not enrolled',
  },
  {
    id: 'observability.logs.l4',
    title: 'Connection log: 5-tuple, identities and bytes per connection',
    layer: 'L4',
    profile: 'extended',
    kind: 'test',
    seed: { row: 'l4-vs-l7.logging', column: 'l4' },
    expected: { ambient: 'supported', waypoint: 'supported', sidecar: 'supported' },
    negativeControl: 'client and server namespaces not enrolled',
  },
  {
    id: 'l7.metrics',
    title: 'L7 RED metrics: istio_requests_total by response code, request duration',
    layer: 'L7',
    profile: 'core',
    kind: 'test',
    seed: { row: 'l4-vs-l7.metrics', column: 'l7' },
    expected: { ...L7_MESH, baseline: undefined },
    negativeControl: 'client and server namespaces not enrolled',
  },
  {
    id: 'l7.access-logs',
    title: 'Access log with request metadata (method, path, status)',
    layer: 'L7',
    profile: 'extended',
    kind: 'test',
    seed: { row: 'l4-vs-l7.logging', column: 'l7' },
    expected: { ...L7_MESH, baseline: undefined },
    negativeControl: 'Telemetry accessLogging disabled',
  },
  {
    id: 'l7.tracing',
    title: 'The proxy joins the distributed trace (span per request)',
    layer: 'L7',
    profile: 'extended',
    kind: 'test',
    seed: { row: 'l4-vs-l7.tracing', column: 'l7' },
    expected: { ...L7_MESH, baseline: undefined },
    negativeControl: 'client and server namespaces not enrolled (no L7 proxy starts a trace)',
  },
  {
    id: 'l7.processing-steps',
    title: 'Number of L7 proxies a request crosses (sidecar 2, waypoint 1)',
    layer: 'L7',
    profile: 'extended',
    kind: 'test',
    seed: { row: 'comparison.l7-steps', column: 'ambient' },
    expected: { sidecar: 'supported', waypoint: 'supported' },
    negativeControl: 'client and server namespaces not enrolled (no L7 proxy reports the request)',
  },
];
