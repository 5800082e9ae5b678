/**
 * @module results/performance/schema
 * JSON Schema (draft 2020-12 subset understood by ajv) of `performance.json`, version 1, and the
 * validator every reader and writer goes through. Mirrors `types.ts`; units are in the field names.
 */
import { Ajv } from 'ajv';
import { MeshbenchError } from '../../core/errors.ts';
import { MODES, PERFORMANCE_SCHEMA_VERSION, type PerformanceResult } from './types.ts';

const ms = { type: 'number', minimum: 0 } as const;
const count = { type: 'integer', minimum: 0 } as const;
const nonNegative = { type: 'number', minimum: 0 } as const;
const mode = { enum: [...MODES] } as const;
const meshMode = { enum: MODES.filter((m) => m !== 'baseline') } as const;
const codes = { type: 'object', additionalProperties: count } as const;
const date = { type: 'string', minLength: 10 } as const;
const loadTriple = { type: 'array', items: nonNegative, minItems: 3, maxItems: 3 } as const;

/** Strict object: every listed property required, nothing else allowed. */
function record(properties: Record<string, unknown>, optional: string[] = []) {
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    properties,
  };
}

/** The JSON Schema of performance.json. */
export const performanceJsonSchema = record(
  {
    schemaVersion: { const: PERFORMANCE_SCHEMA_VERSION },
    kind: { const: 'meshbench.performance' },
    runId: { type: 'string', pattern: '^[A-Za-z0-9._-]+$' },
    startedAt: date,
    finishedAt: { anyOf: [date, { type: 'null' }] },
    complete: { type: 'boolean' },
    environment: record(
      {
        cpuModel: { type: 'string' },
        cores: { type: 'integer', minimum: 1 },
        kernel: { type: 'string' },
        platform: { type: 'string' },
        nodeVersion: { type: 'string' },
        tools: { type: 'object', additionalProperties: { type: 'string' } },
        mesh: record({
          implementation: { enum: ['none', 'reference', 'istio'] },
          version: { type: 'string' },
        }),
        cluster: record({
          provider: { type: 'string' },
          name: { type: 'string' },
          nodes: count,
        }),
        loadAverage: record({ start: loadTriple, end: loadTriple }, ['end']),
      },
      ['loadAverage'],
    ),
    settings: record({
      profile: { enum: ['quick', 'full'] },
      protocol: { const: 'http/1.1' },
      payloadBytes: count,
      qps: nonNegative,
      connections: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1 },
      durationSeconds: { type: 'number', exclusiveMinimum: 0 },
      repetitions: { type: 'integer', minimum: 1 },
      uniform: { type: 'boolean' },
      noCatchUp: { type: 'boolean' },
      resolutionSeconds: { type: 'number', exclusiveMinimum: 0 },
      crossNode: { type: 'boolean' },
    }),
    skippedModes: { type: 'array', items: record({ mode, reason: { type: 'string', minLength: 1 } }) },
    latency: {
      type: 'array',
      items: record({
        mode,
        connections: { type: 'integer', minimum: 1 },
        repetition: count,
        tool: { enum: ['fortio', 'autocannon'] },
        startedAt: date,
        qpsRequested: { anyOf: [nonNegative, { type: 'null' }] },
        qpsActual: nonNegative,
        durationSeconds: nonNegative,
        sampleCount: count,
        okCount: count,
        minMs: ms,
        avgMs: ms,
        maxMs: ms,
        p50Ms: ms,
        p90Ms: ms,
        p99Ms: ms,
        p999Ms: ms,
        errorsByCode: codes,
      }),
    },
    addedLatency: {
      type: 'array',
      items: record({
        mode: meshMode,
        connections: { type: 'integer', minimum: 1 },
        percentile: { enum: ['p50', 'p90', 'p99', 'p999'] },
        repetitions: { type: 'integer', minimum: 1 },
        // added latency may be negative (noise), so no minimum
        medianMs: { type: 'number' },
        minMs: { type: 'number' },
        maxMs: { type: 'number' },
        q1Ms: { type: 'number' },
        q3Ms: { type: 'number' },
      }),
    },
    summary: {
      type: 'array',
      items: record({ mode: meshMode, p90AddedMs: { type: 'number' }, p99AddedMs: { type: 'number' } }),
    },
    throughput: {
      type: 'array',
      items: record({
        mode,
        test: { enum: ['tcp-bulk', 'tcp-rr', 'http-new-connection'] },
        repetition: count,
        tool: { const: 'fortio' },
        connections: { type: 'integer', minimum: 1 },
        payloadBytes: count,
        durationSeconds: nonNegative,
        ratePerSecond: nonNegative,
        bytesPerSecond: nonNegative,
        p50Ms: ms,
        p99Ms: ms,
        errorsByCode: codes,
      }),
    },
    resources: {
      type: 'array',
      items: record({
        mode,
        component: { enum: ['sidecar', 'ztunnel', 'waypoint', 'application'] },
        pod: { type: 'string' },
        rps: nonNegative,
        durationSeconds: nonNegative,
        cpuSeconds: nonNegative,
        cpuCoresPer1000Rps: nonNegative,
        peakMemoryMiB: nonNegative,
      }),
    },
    scaling: {
      type: 'array',
      items: record({
        mode,
        replicas: { type: 'integer', minimum: 1 },
        proxies: count,
        totalProxyMemoryMiB: nonNegative,
        totalProxyCpuCores: nonNegative,
      }),
    },
    scenarios: {
      type: 'array',
      items: record({
        mode,
        scenario: { type: 'string', minLength: 1 },
        repetition: count,
        tool: { const: 'autocannon' },
        startedAt: date,
        qpsRequested: { anyOf: [nonNegative, { type: 'null' }] },
        qpsActual: nonNegative,
        durationSeconds: nonNegative,
        connections: { type: 'integer', minimum: 1 },
        sampleCount: count,
        okCount: count,
        p50Ms: ms,
        p90Ms: ms,
        p99Ms: ms,
        p999Ms: ms,
        errorsByCode: codes,
        thresholds: {
          type: 'object',
          additionalProperties: record({
            limit: { type: 'number' },
            actual: { type: 'number' },
            ok: { type: 'boolean' },
          }),
        },
        ok: { type: 'boolean' },
      }),
    },
  },
  ['scenarios'],
);

const ajv = new Ajv({ allErrors: true, strict: true });
const validateFn = ajv.compile(performanceJsonSchema);

/**
 * Checks `value` against the schema and returns it typed; throws `E_RESULTS` naming every failing
 * path (`/latency/3/p90Ms must be >= 0`).
 */
export function validatePerformanceResult(value: unknown, source = 'performance.json'): PerformanceResult {
  if (validateFn(value)) return value as unknown as PerformanceResult;
  const problems = (validateFn.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
  );
  throw new MeshbenchError(
    'E_RESULTS',
    `${source} does not match performance schema v1: ${problems.join('; ')}`,
    {
      hint: 'regenerate it with `meshbench bench`, or check the field named above',
      details: { source, problems },
    },
  );
}
