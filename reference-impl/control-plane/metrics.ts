/**
 * @module reference-impl/control-plane/metrics
 * The control plane's Prometheus metrics (prom-client), one registry per instance so several control
 * planes can live in one process (tests).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Creates the registry and the metrics the control plane updates. */
export function createControlPlaneMetrics() {
  const registry = new Registry();
  return {
    registry,
    pushes: new Counter({
      name: 'meshbench_xds_pushes_total',
      help: 'Delta xDS responses sent, by type URL',
      labelNames: ['type_url'],
      registers: [registry],
    }),
    pushLatency: new Histogram({
      name: 'meshbench_xds_push_latency_seconds',
      help: 'Time from a config change to the delta response being written to a proxy',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    nacks: new Counter({
      name: 'meshbench_xds_nacks_total',
      help: 'Delta xDS NACKs received, by type URL',
      labelNames: ['type_url'],
      registers: [registry],
    }),
    rejectedConfigs: new Counter({
      name: 'meshbench_config_rejected_total',
      help: 'Config objects rejected by validation, by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    connectedProxies: new Gauge({
      name: 'meshbench_xds_connected_proxies',
      help: 'Proxies connected to delta ADS',
      registers: [registry],
    }),
    certificatesIssued: new Counter({
      name: 'meshbench_ca_certificates_issued_total',
      help: 'Workload certificates issued',
      registers: [registry],
    }),
    certificatesRefused: new Counter({
      name: 'meshbench_ca_certificates_refused_total',
      help: 'Certificate requests refused, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}

export type ControlPlaneMetrics = ReturnType<typeof createControlPlaneMetrics>;
