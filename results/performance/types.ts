/**
 * @module results/performance/types
 * The performance results format (`results/runs/<run>/performance.json`), version 1, as TypeScript
 * types. Units are in the field names (`p90Ms`, `durationSeconds`, `peakMemoryMiB`); the JSON Schema
 * in `schema.ts` says the same thing for machines and is what every writer validates against.
 */

/** Version of this format; bump on any incompatible change and keep readers of older versions. */
export const PERFORMANCE_SCHEMA_VERSION = 1 as const;

/** The data-plane modes, columns of every result. */
export const MODES = ['baseline', 'ambient', 'waypoint', 'sidecar'] as const;
export type Mode = (typeof MODES)[number];

/** Percentiles reported for every point. */
export const PERCENTILES = ['p50', 'p90', 'p99', 'p999'] as const;
export type Percentile = (typeof PERCENTILES)[number];

/** Where and with what a run was measured. */
export interface Environment {
  cpuModel: string;
  cores: number;
  kernel: string;
  platform: string;
  nodeVersion: string;
  /** Load-generator versions, e.g. `{ fortio: '1.66.5', autocannon: '9.0.0' }`. */
  tools: Record<string, string>;
  mesh: { implementation: 'none' | 'reference' | 'istio'; version: string };
  cluster: { provider: string; name: string; nodes: number };
  /** 1, 5 and 15 minute load averages of the machine at the start and end of the run (absent in older files). */
  loadAverage?: { start: [number, number, number]; end?: [number, number, number] };
}

/** How the latency points were taken (Istio's method unless a field says otherwise). */
export interface LatencySettings {
  profile: 'quick' | 'full';
  protocol: 'http/1.1';
  payloadBytes: number;
  qps: number;
  connections: number[];
  durationSeconds: number;
  repetitions: number;
  uniform: boolean;
  noCatchUp: boolean;
  /** fortio histogram resolution (`-r`). */
  resolutionSeconds: number;
  /** True when client and server pods ran on different nodes. */
  crossNode: boolean;
}

/** One load run: one mode, one connection count, one repetition. */
export interface LatencyPoint {
  mode: Mode;
  connections: number;
  repetition: number;
  tool: 'fortio' | 'autocannon';
  startedAt: string;
  /** `null` means "as fast as possible" (fortio `-qps -1`, `RequestedQPS: "max"`). */
  qpsRequested: number | null;
  qpsActual: number;
  durationSeconds: number;
  sampleCount: number;
  okCount: number;
  minMs: number;
  avgMs: number;
  maxMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  /** Codes that are not a success (HTTP non-2xx, fortio TCP non-`OK`, `-1` transport) → count; successes are `okCount`. */
  errorsByCode: Record<string, number>;
}

/** Added latency of one mode over `baseline` at one connection count and percentile, across repetitions. */
export interface AddedLatency {
  mode: Exclude<Mode, 'baseline'>;
  connections: number;
  percentile: Percentile;
  repetitions: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  q1Ms: number;
  q3Ms: number;
}

/** The seed table's row, regenerated: median added latency over all connection counts. */
export interface AddedLatencySummary {
  mode: Exclude<Mode, 'baseline'>;
  p90AddedMs: number;
  p99AddedMs: number;
}

/** Throughput and connection tests (fortio TCP echo and HTTP modes). */
export type ThroughputTest = 'tcp-bulk' | 'tcp-rr' | 'http-new-connection';

export interface ThroughputPoint {
  mode: Mode;
  test: ThroughputTest;
  repetition: number;
  tool: 'fortio';
  connections: number;
  payloadBytes: number;
  durationSeconds: number;
  /** Calls (TCP round trips or HTTP requests) per second. */
  ratePerSecond: number;
  /** Payload bytes sent plus received per second (TCP tests). */
  bytesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errorsByCode: Record<string, number>;
}

/** CPU and memory of one proxy pod while carrying a known load. */
export interface ResourcePoint {
  mode: Mode;
  component: 'sidecar' | 'ztunnel' | 'waypoint' | 'application';
  pod: string;
  rps: number;
  durationSeconds: number;
  cpuSeconds: number;
  /** vCPU used per 1000 requests per second. */
  cpuCoresPer1000Rps: number;
  peakMemoryMiB: number;
}

/** Total proxy cost as the number of application replicas grows. */
export interface ScalingPoint {
  mode: Mode;
  replicas: number;
  proxies: number;
  totalProxyMemoryMiB: number;
  totalProxyCpuCores: number;
}

/** One scripted L7 scenario (autocannon, run in the client pod) in one mode and repetition. */
export interface ScenarioPoint {
  mode: Mode;
  scenario: string;
  repetition: number;
  tool: 'autocannon';
  startedAt: string;
  /** `null`: as fast as possible. */
  qpsRequested: number | null;
  qpsActual: number;
  durationSeconds: number;
  connections: number;
  sampleCount: number;
  okCount: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  errorsByCode: Record<string, number>;
  /** The scenario's thresholds: limit, measured value, and whether it held. */
  thresholds: Record<string, { limit: number; actual: number; ok: boolean }>;
  ok: boolean;
}

/** A mode the run could not measure, and why (names what is missing). */
export interface SkippedMode {
  mode: Mode;
  reason: string;
}

/** The whole file. `complete` is true only once every point was taken and the file finalised. */
export interface PerformanceResult {
  schemaVersion: typeof PERFORMANCE_SCHEMA_VERSION;
  kind: 'meshbench.performance';
  runId: string;
  startedAt: string;
  finishedAt: string | null;
  complete: boolean;
  environment: Environment;
  settings: LatencySettings;
  skippedModes: SkippedMode[];
  latency: LatencyPoint[];
  addedLatency: AddedLatency[];
  summary: AddedLatencySummary[];
  throughput: ThroughputPoint[];
  resources: ResourcePoint[];
  scaling: ScalingPoint[];
  /** Scripted L7 scenarios (absent in files written before the scenario suite existed). */
  scenarios?: ScenarioPoint[];
}
