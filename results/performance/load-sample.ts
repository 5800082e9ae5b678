/**
 * @module results/performance/load-sample
 * `LoadSample`: what one load-generator run measured, tool-neutral and in explicit units, before
 * the suite tags it with mode, connection count and repetition. Parsers of fortio and autocannon
 * output produce it.
 */

/** One load run, units converted (milliseconds, seconds, bytes). */
export interface LoadSample {
  tool: 'fortio' | 'autocannon';
  /** `HTTP` or `TCP` (fortio `RunType`). */
  runType: string;
  startedAt: string;
  /** `null`: no rate limit ("max"). */
  qpsRequested: number | null;
  qpsActual: number;
  durationSeconds: number;
  connections: number;
  sampleCount: number;
  okCount: number;
  minMs: number;
  avgMs: number;
  maxMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  /** Every response code that is not a success (HTTP non-2xx, fortio TCP non-`OK`, `-1` transport). */
  errorsByCode: Record<string, number>;
  /** Payload bytes sent / received (fortio TCP mode); 0 where the tool does not say. */
  bytesSent: number;
  bytesReceived: number;
}
