/**
 * @module suites/performance/data-plane-check.test
 * Reading ztunnel's connection counter for one namespace from Prometheus text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionsOpenedFor } from './data-plane-check.ts';

describe('connectionsOpenedFor', () => {
  it('sums samples naming the namespace as source or destination, and nothing else', () => {
    const text = [
      '# HELP istio_tcp_connections_opened_total TCP connections opened',
      '# TYPE istio_tcp_connections_opened_total counter',
      'istio_tcp_connections_opened_total{reporter="destination",source_workload_namespace="mb-perf-ambient",destination_workload_namespace="mb-perf-ambient"} 3',
      'istio_tcp_connections_opened_total{reporter="source",source_workload_namespace="mb-perf-ambient",destination_workload_namespace="other"} 2',
      'istio_tcp_connections_opened_total{reporter="source",source_workload_namespace="other",destination_workload_namespace="other"} 7',
      'istio_tcp_sent_bytes_total{source_workload_namespace="mb-perf-ambient"} 999',
    ].join('\n');
    assert.equal(connectionsOpenedFor(text, 'mb-perf-ambient'), 5);
    assert.equal(connectionsOpenedFor(text, 'mb-perf-waypoint'), 0);
  });
});
