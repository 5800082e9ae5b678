/**
 * @module suites/conformance/row-context
 * What a row's body works with: the cluster, the mode and its expectation, whether the negative
 * control is applied, a scenario that cleans up after itself, and assertions that record their
 * evidence (what was asserted, what was seen) on the test for the reporter.
 */
import type { TestInfo } from '@playwright/test';
import type { CallOutcome, Capability, CapturedSegment, Cluster, PodInfo } from '../../clusters/cluster.ts';
import type { Expectation, FeatureDef, Mode } from '../../results/conformance/model.ts';
import { summarizeOutcomes } from '../fixtures/call-checks.ts';
import { type Check, CheckFailedError } from '../fixtures/check.ts';
import {
  type ConsistentlyOptions,
  consistently,
  type EventuallyOptions,
  eventually,
} from '../fixtures/eventually.ts';
import { type MetricSample, parseMetrics } from '../fixtures/metrics.ts';
import type { Scenario } from '../fixtures/scenario.ts';
import { isTlsRecord } from '../fixtures/wire-checks.ts';

/** Thrown by `ctx.skip`: the row cannot run here (reason recorded, reported `skipped`). */
export class RowSkip extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RowSkip';
  }
}

function isOutcomes(x: unknown): x is CallOutcome[] {
  return Array.isArray(x) && x.length > 0 && typeof x[0] === 'object' && x[0] !== null && 'latencyMs' in x[0];
}

function isSegments(x: unknown): x is CapturedSegment[] {
  return Array.isArray(x) && x.length > 0 && typeof x[0] === 'object' && x[0] !== null && 'payload' in x[0];
}

function isSamples(x: unknown): boolean {
  return (
    Array.isArray(x) &&
    x.length > 0 &&
    typeof x[0] === 'object' &&
    x[0] !== null &&
    'labels' in x[0] &&
    'value' in x[0]
  );
}

/** A short description of an observation for the evidence `seen` field. */
export function summarizeSubject(subject: unknown, depth = 0): string {
  if (isOutcomes(subject)) return summarizeOutcomes(subject);
  if (isSegments(subject)) {
    const tls = subject.filter((x) => isTlsRecord(x.payload)).length;
    const ports = [...new Set(subject.map((x) => x.dstPort))].slice(0, 6).join(', ');
    return `${subject.length} segments with payload, ${tls} starting a TLS record; destination ports ${ports}`;
  }
  if (isSamples(subject)) return `${(subject as unknown[]).length} metric samples`;
  if (Array.isArray(subject)) {
    if (subject.every((x) => typeof x === 'string')) return `${subject.length} log lines`;
    return `${subject.length} items`;
  }
  if (subject && typeof subject === 'object' && depth === 0) {
    return Object.entries(subject)
      .map(([k, v]) => `${k}: ${summarizeSubject(v, 1)}`)
      .join('; ');
  }
  const text = JSON.stringify(subject) ?? String(subject);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function forAttachment(subject: unknown): unknown {
  if (isSegments(subject)) {
    return subject
      .slice(0, 200)
      .map((s) => ({ ...s, payload: s.payload.subarray(0, 64).toString('hex'), bytes: s.payload.length }));
  }
  return subject;
}

/** The context of one row run. */
export class RowContext {
  /** Default deadline of `expectEventually` (shorter under the negative control, where it must fail). */
  readonly timeoutMs: number;
  private evidenceCount = 0;

  constructor(
    readonly cluster: Cluster,
    readonly mode: Mode,
    readonly feature: FeatureDef,
    readonly expectation: Expectation,
    /** True when this run applies the feature's negative control. */
    readonly control: boolean,
    readonly scenario: Scenario,
    private readonly testInfo: TestInfo,
    readonly systemNamespace: string,
  ) {
    this.timeoutMs = control ? 8_000 : 20_000;
  }

  /** True when the mode must show the feature working; false when it must visibly not. */
  get positive(): boolean {
    return this.expectation === 'supported';
  }

  /** Skips the row with a reason (missing capability, topology the provider cannot give). */
  skip(reason: string): never {
    throw new RowSkip(reason);
  }

  /** Skips unless the cluster has `capability`. */
  requireCapability(capability: Capability): void {
    if (!this.cluster.capabilities.has(capability))
      this.skip(`cluster provider ${this.cluster.provider} lacks ${capability}`);
  }

  /** Attaches data (JSON) to the test as evidence; returns the attachment name. */
  async attach(name: string, data: unknown): Promise<string> {
    const file = `${String(++this.evidenceCount).padStart(2, '0')}-${name.replace(/[^a-z0-9.-]+/gi, '-')}.json`;
    await this.testInfo.attach(file, {
      body: JSON.stringify(forAttachment(data), null, 2),
      contentType: 'application/json',
    });
    return file;
  }

  private record(asserted: string, seen: string, attachment?: string): void {
    this.testInfo.annotations.push({
      type: 'evidence',
      description: JSON.stringify({ asserted, seen, attachment }),
    });
  }

  private async run<R>(what: string, how: string, description: string, go: () => Promise<R>): Promise<R> {
    const asserted = `${what}: ${description} (${how})`;
    try {
      const subject = await go();
      const file = await this.attach(what, subject);
      this.record(asserted, summarizeSubject(subject), file);
      return subject;
    } catch (err) {
      if (err instanceof CheckFailedError)
        this.record(asserted, `${err.mismatch.seen} — expected ${err.mismatch.expected}`);
      throw err;
    }
  }

  /** Observes until `c` holds (deadline `timeoutMs`), recording the evidence either way. */
  expectEventually<T>(
    what: string,
    probe: () => Promise<T>,
    c: Check<T>,
    options: EventuallyOptions = {},
  ): Promise<T> {
    const opts = { timeoutMs: this.timeoutMs, ...options };
    return this.run(what, `eventually, within ${opts.timeoutMs} ms`, c.description, () =>
      eventually(probe, c, opts),
    );
  }

  /** Observes for a window and requires `c` to hold throughout (proving something does NOT happen). */
  async expectConsistently<T>(
    what: string,
    probe: () => Promise<T>,
    c: Check<T>,
    options: ConsistentlyOptions = {},
  ): Promise<T> {
    const forMs = options.forMs ?? 2_000;
    const all = await this.run(what, `consistently, for ${forMs} ms`, c.description, () =>
      consistently(probe, c, { ...options, forMs }),
    );
    return all[all.length - 1]!;
  }

  /** Evaluates `c` on one observation. */
  expectNow<T>(what: string, subject: T, c: Check<T>): Promise<T> {
    return this.run(what, 'once', c.description, () => eventually(async () => subject, c, { timeoutMs: 0 }));
  }

  /** Ready ztunnel pods (the node proxies). */
  async ztunnels(): Promise<PodInfo[]> {
    return (await this.cluster.pods(this.systemNamespace, { app: 'ztunnel' })).filter((p) => p.ready);
  }

  /** Metrics scraped from every mesh proxy that may report: ztunnels, waypoints, and `extraPods` (sidecars). */
  async meshMetrics(extraPods: readonly PodInfo[] = []): Promise<MetricSample[]> {
    const pods = [...(await this.ztunnels()), ...extraPods];
    for (const ns of new Set(extraPods.map((p) => p.namespace))) {
      pods.push(...(await this.cluster.pods(ns, { 'gateway.networking.k8s.io/gateway-name': 'waypoint' })));
    }
    const samples: MetricSample[] = [];
    await Promise.all(
      pods.map(async (p) => {
        try {
          const r = await this.cluster.podHttp(p, {
            port: 15020,
            path: '/stats/prometheus',
            timeoutMs: 3000,
          });
          if (r.status === 200) samples.push(...parseMetrics(r.body, `${p.namespace}/${p.name}`));
        } catch {
          // a pod without a metrics port (plain app pod in ambient mode) reports nothing
        }
      }),
    );
    return samples;
  }
}
