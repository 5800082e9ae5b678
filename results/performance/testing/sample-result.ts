/**
 * @module results/performance/testing/sample-result
 * Test fixture: a small but complete `PerformanceResult` with known numbers (not measured), for
 * schema, chart and report tests. Parsers are tested on real tool output elsewhere.
 */
import { finalizePerformanceResult } from '../store.ts';
import {
  type LatencyPoint,
  type Mode,
  PERFORMANCE_SCHEMA_VERSION,
  type PerformanceResult,
} from '../types.ts';

/** Builds one latency point; p90/p99 are `base + offset` so added latency is predictable. */
export function latencyPoint(
  mode: Mode,
  connections: number,
  repetition: number,
  p90Ms: number,
  p99Ms: number,
): LatencyPoint {
  return {
    mode,
    connections,
    repetition,
    tool: 'fortio',
    startedAt: '2026-11-26T17:00:00.000Z',
    qpsRequested: 1000,
    qpsActual: 999.5,
    durationSeconds: 5,
    sampleCount: 5000,
    okCount: 5000,
    minMs: 0.05,
    avgMs: p90Ms * 0.6,
    maxMs: p99Ms * 2,
    p50Ms: p90Ms * 0.7,
    p90Ms,
    p99Ms,
    p999Ms: p99Ms * 1.5,
    errorsByCode: {},
  };
}

/** An empty, incomplete result shell. */
export function emptyResult(runId = '20261126T170000Z-test'): PerformanceResult {
  return {
    schemaVersion: PERFORMANCE_SCHEMA_VERSION,
    kind: 'meshbench.performance',
    runId,
    startedAt: '2026-11-26T17:00:00.000Z',
    finishedAt: null,
    complete: false,
    environment: {
      cpuModel: 'Test CPU',
      cores: 2,
      kernel: '6.1.0',
      platform: 'linux',
      nodeVersion: 'v20.19.0',
      tools: { fortio: '1.66.5' },
      mesh: { implementation: 'reference', version: '0.1.0' },
      cluster: { provider: 'local', name: 'mbt-test', nodes: 2 },
    },
    settings: {
      profile: 'quick',
      protocol: 'http/1.1',
      payloadBytes: 1024,
      qps: 1000,
      connections: [2, 8],
      durationSeconds: 5,
      repetitions: 3,
      uniform: true,
      noCatchUp: true,
      resolutionSeconds: 0.00001,
      crossNode: true,
    },
    skippedModes: [],
    latency: [],
    addedLatency: [],
    summary: [],
    throughput: [],
    resources: [],
    scaling: [],
  };
}

/**
 * A finalised result: baseline p90 0.30 / p99 0.50 ms; ambient adds 0.10+0.01·rep / 0.20+0.01·rep,
 * sidecar adds 0.60+0.01·rep / 0.90+0.01·rep, at 2 and 8 connections, 3 repetitions.
 */
export function sampleResult(runId?: string): PerformanceResult {
  const r = emptyResult(runId);
  const add: Record<Mode, [number, number]> = {
    baseline: [0, 0],
    ambient: [0.1, 0.2],
    waypoint: [0.4, 0.5],
    sidecar: [0.6, 0.9],
  };
  for (const c of [2, 8]) {
    for (let rep = 0; rep < 3; rep++) {
      for (const mode of ['baseline', 'ambient', 'sidecar'] as const) {
        const [a90, a99] = add[mode];
        const d = mode === 'baseline' ? 0 : 0.01 * rep;
        r.latency.push(latencyPoint(mode, c, rep, 0.3 + a90 + d, 0.5 + a99 + d));
      }
    }
  }
  r.skippedModes.push({ mode: 'waypoint', reason: 'no waypoint Gateway class (test fixture)' });
  r.resources.push(
    {
      mode: 'sidecar',
      component: 'sidecar',
      pod: 'fortio-server-0',
      rps: 1000,
      durationSeconds: 5,
      cpuSeconds: 1,
      cpuCoresPer1000Rps: 0.2,
      peakMemoryMiB: 60,
    },
    {
      mode: 'ambient',
      component: 'ztunnel',
      pod: 'ztunnel-node-1',
      rps: 1000,
      durationSeconds: 5,
      cpuSeconds: 0.3,
      cpuCoresPer1000Rps: 0.06,
      peakMemoryMiB: 12,
    },
  );
  r.scaling.push(
    { mode: 'sidecar', replicas: 1, proxies: 1, totalProxyMemoryMiB: 60, totalProxyCpuCores: 0.01 },
    { mode: 'sidecar', replicas: 4, proxies: 4, totalProxyMemoryMiB: 240, totalProxyCpuCores: 0.04 },
    { mode: 'ambient', replicas: 1, proxies: 2, totalProxyMemoryMiB: 24, totalProxyCpuCores: 0.01 },
    { mode: 'ambient', replicas: 4, proxies: 2, totalProxyMemoryMiB: 26, totalProxyCpuCores: 0.01 },
  );
  r.throughput.push({
    mode: 'baseline',
    test: 'tcp-rr',
    repetition: 0,
    tool: 'fortio',
    connections: 1,
    payloadBytes: 1,
    durationSeconds: 2,
    ratePerSecond: 9000,
    bytesPerSecond: 18000,
    p50Ms: 0.1,
    p99Ms: 0.3,
    errorsByCode: {},
  });
  return finalizePerformanceResult(r, new Date('2026-11-26T17:10:00.000Z'));
}
