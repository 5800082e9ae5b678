/**
 * @module reference-impl/echo/forwarder
 * Runs a validated forward plan: `count` calls one after another from this process (so from this pod),
 * `intervalMs` apart, each with its own deadline. Every call yields an outcome; errors never escape.
 * Calls not started within the forward's total budget, or after the caller went away, are reported
 * as `EDEADLINE` / `ECANCELED` outcomes.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../core/logger.ts';
import { silentLogger } from '../../core/logger.ts';
import { toForwardError } from './call-error.ts';
import { createH2cClient } from './client-h2c.ts';
import { createHttp1Client } from './client-http1.ts';
import { createTcpClient } from './client-tcp.ts';
import { FORWARD_LIMITS, type ForwardPlan } from './forward-request.ts';
import { MAX_REPLY_BYTES, type ProtocolClient } from './protocol-client.ts';
import type { ForwardOutcome } from './wire-types.ts';

/** Total outcome body bytes kept per forward; later bodies are cut (their `fields` stay complete). */
export const MAX_TOTAL_BODY_BYTES = 32 * 1024 * 1024;

export interface ForwardOptions {
  /** Fires when the caller went away: remaining calls are skipped. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Total budget; default `FORWARD_LIMITS.maxTotalMs`. */
  maxTotalMs?: number;
}

async function createClient(plan: ForwardPlan): Promise<ProtocolClient> {
  switch (plan.target.scheme) {
    case 'http':
      return createHttp1Client(plan);
    case 'h2c':
      return createH2cClient(plan);
    case 'grpc':
      return (await import('./client-grpc.ts')).createGrpcClient(plan);
    case 'tcp':
    case 'server-first':
      return createTcpClient(plan);
  }
}

function truncate(body: string, budget: number): string {
  const limit = Math.max(0, Math.min(MAX_REPLY_BYTES, budget));
  if (body.length <= limit / 4) return body;
  const bytes = Buffer.from(body, 'utf8');
  return bytes.length <= limit ? body : bytes.subarray(0, limit).toString('utf8');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Makes the plan's calls and returns one outcome per call, in order. */
export async function runForward(plan: ForwardPlan, options: ForwardOptions = {}): Promise<ForwardOutcome[]> {
  const logger = options.logger ?? silentLogger;
  const parent = options.signal ?? new AbortController().signal;
  const deadline = performance.now() + (options.maxTotalMs ?? FORWARD_LIMITS.maxTotalMs);
  const outcomes: ForwardOutcome[] = [];
  let budget = MAX_TOTAL_BODY_BYTES;
  const client = await createClient(plan);
  try {
    for (let index = 0; index < plan.count; index++) {
      if (index > 0 && plan.intervalMs > 0) await sleep(plan.intervalMs, parent);
      if (parent.aborted || performance.now() >= deadline) {
        const error = parent.aborted
          ? { code: 'ECANCELED', message: 'the forward request was cancelled before this call' }
          : {
              code: 'EDEADLINE',
              message: `the forward's ${options.maxTotalMs ?? FORWARD_LIMITS.maxTotalMs} ms budget ran out before this call`,
            };
        outcomes.push({ index, ok: false, status: 0, error, latencyMs: 0, fields: {}, body: '' });
        continue;
      }
      const signal = AbortSignal.any([parent, AbortSignal.timeout(plan.timeoutMs)]);
      const start = performance.now();
      let outcome: ForwardOutcome;
      try {
        const result = await client.call(signal);
        outcome = { index, latencyMs: 0, ...result };
      } catch (err) {
        outcome = {
          index,
          ok: false,
          status: 0,
          error: toForwardError(err),
          latencyMs: 0,
          fields: {},
          body: '',
        };
      }
      outcome.latencyMs = Math.round((performance.now() - start) * 1000) / 1000;
      outcome.body = truncate(outcome.body, budget);
      budget -= Buffer.byteLength(outcome.body);
      outcomes.push(outcome);
    }
  } finally {
    client.close();
  }
  const failed = outcomes.filter((o) => !o.ok).length;
  logger.debug('forward done', {
    url: `${plan.target.scheme}://${plan.target.authority}`,
    count: plan.count,
    failed,
  });
  return outcomes;
}
