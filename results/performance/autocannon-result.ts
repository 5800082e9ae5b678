/**
 * @module results/performance/autocannon-result
 * Converts an autocannon result (latency already in **milliseconds**, duration in seconds) into a
 * `LoadSample`. autocannon drives meshbench's scripted L7 scenarios (k6 is AGPL and not used here).
 */
import { MeshbenchError } from '../../core/errors.ts';
import type { LoadSample } from './load-sample.ts';

/** The fields of `autocannon.Result` this converter reads. */
export interface AutocannonLike {
  start: Date | string;
  duration: number;
  connections: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  requests: { average: number; total: number };
  latency: {
    min: number;
    max: number;
    average: number;
    p50: number;
    p90: number;
    p99: number;
    p99_9: number;
  };
  throughput: { total: number };
  statusCodeStats?: Partial<Record<`${number}`, { count?: number }>>;
}

/** Converts; throws `E_NO_SAMPLES` when no response came back. */
export function fromAutocannon(
  result: AutocannonLike,
  options: { qpsRequested?: number | null; source?: string } = {},
): LoadSample {
  const source = options.source ?? 'autocannon result';
  const ok = result['2xx'];
  const total = ok + result.non2xx;
  if (total === 0) {
    throw new MeshbenchError('E_NO_SAMPLES', `${source}: autocannon got no responses`, {
      hint: 'check the target URL answers; errors and timeouts are in details',
      details: { errors: result.errors, timeouts: result.timeouts },
    });
  }
  const errorsByCode: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
    if (!/^2\d\d$/.test(code)) errorsByCode[code] = stat?.count ?? 0;
  }
  if (result.errors - result.timeouts > 0) errorsByCode['connection-error'] = result.errors - result.timeouts;
  if (result.timeouts > 0) errorsByCode['timeout'] = result.timeouts;
  const started = result.start instanceof Date ? result.start.toISOString() : String(result.start);
  return {
    tool: 'autocannon',
    runType: 'HTTP',
    startedAt: started,
    qpsRequested: options.qpsRequested ?? null,
    qpsActual: result.duration > 0 ? total / result.duration : 0,
    durationSeconds: result.duration,
    connections: result.connections,
    sampleCount: total,
    okCount: ok,
    minMs: result.latency.min,
    avgMs: result.latency.average,
    maxMs: result.latency.max,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    p999Ms: result.latency.p99_9,
    errorsByCode,
    bytesSent: 0,
    bytesReceived: result.throughput.total,
  };
}
