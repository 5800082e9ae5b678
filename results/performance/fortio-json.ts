/**
 * @module results/performance/fortio-json
 * Parses fortio's `-json` output (HTTP and TCP runs) into a `LoadSample`. fortio's units: histogram
 * values in **seconds**, `ActualDuration` in **nanoseconds**, `RequestedQPS` a string (`"1000"` or
 * `"max"`), `RetCodes` keyed by HTTP status (or `OK` for TCP). Run fortio with
 * `-p "50,75,90,99,99.9"` so every percentile the schema needs is present.
 */
import { MeshbenchError } from '../../core/errors.ts';
import type { LoadSample } from './load-sample.ts';

/** The fields of fortio's JSON this parser reads. */
export interface FortioJson {
  RunType: string;
  StartTime: string;
  RequestedQPS: string;
  ActualQPS: number;
  ActualDuration: number;
  NumThreads: number;
  Version?: string;
  DurationHistogram: {
    Count: number;
    Min: number;
    Max: number;
    Avg: number;
    Percentiles?: { Percentile: number; Value: number }[] | null;
  };
  RetCodes?: Record<string, number> | null;
  BytesSent?: number;
  BytesReceived?: number;
}

/** The percentile list to pass to `fortio load -p`. */
export const FORTIO_PERCENTILES = '50,75,90,99,99.9';

const SECONDS_TO_MS = 1000;

function fail(source: string, why: string): never {
  throw new MeshbenchError('E_RESULTS', `${source}: ${why}`, {
    hint: `run fortio with -json and -p "${FORTIO_PERCENTILES}"`,
    details: { source },
  });
}

function isOk(code: string): boolean {
  return code === 'OK' || /^2\d\d$/.test(code);
}

/**
 * Parses fortio JSON text or an already-parsed object. Throws `E_RESULTS` for malformed input and
 * `E_NO_SAMPLES` when the run recorded no call.
 */
export function parseFortioJson(input: string | unknown, source = 'fortio output'): LoadSample {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (err) {
      fail(source, `not JSON (${(err as Error).message})`);
    }
  }
  const f = raw as Partial<FortioJson> | null;
  if (!f || typeof f !== 'object' || typeof f.RunType !== 'string' || !f.DurationHistogram) {
    fail(source, 'missing RunType or DurationHistogram: not a fortio result');
  }
  const h = f.DurationHistogram;
  if (!h.Count) {
    throw new MeshbenchError(
      'E_NO_SAMPLES',
      `${source}: fortio recorded no calls (DurationHistogram.Count = 0)`,
      {
        hint: 'check that the target answers (fortio curl URL) and that the duration is long enough',
        details: { source, retCodes: f.RetCodes ?? {} },
      },
    );
  }
  const pct = (p: number): number => {
    const hit = (h.Percentiles ?? []).find((x) => Math.abs(x.Percentile - p) < 1e-9);
    if (!hit) fail(source, `percentile ${p} missing from DurationHistogram.Percentiles`);
    return hit.Value * SECONDS_TO_MS;
  };
  const requested = f.RequestedQPS ?? 'max';
  const qpsRequested = requested === 'max' || requested === '' ? null : Number(requested);
  if (qpsRequested !== null && !Number.isFinite(qpsRequested))
    fail(source, `RequestedQPS "${requested}" is not a number`);
  const retCodes = f.RetCodes ?? {};
  let okCount = 0;
  const errorsByCode: Record<string, number> = {};
  for (const [code, n] of Object.entries(retCodes)) {
    if (isOk(code)) okCount += n;
    else errorsByCode[code] = n;
  }
  return {
    tool: 'fortio',
    runType: f.RunType,
    startedAt: f.StartTime ?? new Date(0).toISOString(),
    qpsRequested,
    qpsActual: f.ActualQPS ?? 0,
    durationSeconds: (f.ActualDuration ?? 0) / 1e9,
    connections: f.NumThreads ?? 1,
    sampleCount: h.Count,
    okCount,
    minMs: h.Min * SECONDS_TO_MS,
    avgMs: h.Avg * SECONDS_TO_MS,
    maxMs: h.Max * SECONDS_TO_MS,
    p50Ms: pct(50),
    p90Ms: pct(90),
    p99Ms: pct(99),
    p999Ms: pct(99.9),
    errorsByCode,
    bytesSent: f.BytesSent ?? 0,
    bytesReceived: f.BytesReceived ?? 0,
  };
}
