/**
 * @module suites/performance/bench-ztunnel
 * `npm run bench:ztunnel`: the ambient L4 data plane against no mesh, Istio's method (fortio,
 * HTTP/1.1, 1 KB, 1000 qps, 16 connections, uniform, no catch-up), `baseline` and `ambient`
 * interleaved in one run on a fresh 2-node local cluster; then single-connection throughput and the
 * ztunnels' CPU and peak memory per 1000 rps. Prints medians with their spread next to the goals
 * (Istio's published Rust ztunnel figures) and keeps the whole run under results/runs/<run>/.
 *
 * Options: `--duration S` (default 10), `--repetitions N` (default 3), `--connections N` (default 16).
 */
import { parseArgs } from 'node:util';
import type { Cluster } from '../../clusters/cluster.ts';
import { getProvider } from '../../clusters/connect.ts';
import { describeError } from '../../core/errors.ts';
import { newRunId, runDirFor } from '../../results/performance/run-dir.ts';
import { median, spread } from '../../results/performance/stats.ts';
import type { PerformanceResult } from '../../results/performance/types.ts';
import { runBenchmark } from './run-benchmark.ts';

const GOALS = { p90AddedMs: 0.17, p99AddedMs: 0.2, vcpuPer1000Rps: 0.06, rssMiB: 50, throughputRatio: 0.4 };

const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const range = (xs: number[], digits = 3) => {
  if (xs.length === 0) return 'n/a';
  const s = spread(xs);
  return `${fmt(s.median, digits)} [${fmt(s.min, digits)}–${fmt(s.max, digits)}]`;
};

/** The figures issue 4 asks for, from one finished run. */
export function ztunnelFigures(result: PerformanceResult): string[] {
  const lines: string[] = [];
  for (const mode of ['baseline', 'ambient'] as const) {
    const pts = result.latency.filter((p) => p.mode === mode);
    lines.push(
      `${mode.padEnd(8)} p50 ${range(pts.map((p) => p.p50Ms))}  p90 ${range(pts.map((p) => p.p90Ms))}  p99 ${range(pts.map((p) => p.p99Ms))} ms  (${pts.length} points)`,
    );
  }
  for (const pct of ['p90', 'p99'] as const) {
    const added = result.addedLatency.filter((a) => a.mode === 'ambient' && a.percentile === pct);
    const goal = pct === 'p90' ? GOALS.p90AddedMs : GOALS.p99AddedMs;
    const m = median(added.map((a) => a.medianMs));
    lines.push(
      `added ${pct}: ${fmt(m)} ms (min ${fmt(Math.min(...added.map((a) => a.minMs)))}, max ${fmt(Math.max(...added.map((a) => a.maxMs)))}) — goal ≤ ${goal} ms: ${m <= goal ? 'met' : 'missed'}`,
    );
  }
  for (const test of ['tcp-bulk', 'tcp-rr', 'http-new-connection'] as const) {
    const rate = (mode: string) =>
      median(
        result.throughput
          .filter((t) => t.mode === mode && t.test === test)
          .map((t) => (test === 'tcp-bulk' ? t.bytesPerSecond / 1e6 : t.ratePerSecond)),
      );
    const base = rate('baseline');
    const amb = rate('ambient');
    const unit = test === 'tcp-bulk' ? 'MB/s' : '/s';
    const ratio = amb / base;
    lines.push(
      `${test}: baseline ${fmt(base, 1)} ${unit}, ambient ${fmt(amb, 1)} ${unit}, ratio ${fmt(ratio, 2)}${test === 'tcp-bulk' ? ` — goal ≥ ${GOALS.throughputRatio}: ${ratio >= GOALS.throughputRatio ? 'met' : 'missed'}` : ''}`,
    );
  }
  const zt = result.resources.filter((r) => r.component === 'ztunnel');
  if (zt.length) {
    const cpu = median(zt.map((r) => r.cpuCoresPer1000Rps));
    const rss = Math.max(...zt.map((r) => r.peakMemoryMiB));
    lines.push(
      `ztunnel: ${fmt(cpu)} vCPU per 1000 rps (per proxy, median of ${zt.length}) — goal ≤ ${GOALS.vcpuPer1000Rps}: ${cpu <= GOALS.vcpuPer1000Rps ? 'met' : 'missed'}`,
      `ztunnel: peak RSS ${fmt(rss, 1)} MiB (largest proxy, during the 1000-rps window) — goal ≤ ${GOALS.rssMiB} MB: ${rss <= GOALS.rssMiB ? 'met' : 'missed'}`,
    );
    // What this machine charges a plain Go HTTP server for the same load: the CPU goal is Istio's
    // figure on its machines, so the ratio is the part that travels.
    const server = result.resources.find(
      (r) => r.mode === 'baseline' && r.component === 'application' && r.pod.includes('fortio-server'),
    );
    if (server)
      lines.push(
        `  for scale: the fortio server alone costs ${fmt(server.cpuCoresPer1000Rps)} vCPU per 1000 rps here (ztunnel / fortio server ${fmt(cpu / server.cpuCoresPer1000Rps, 2)})`,
      );
  }
  for (const s of result.skippedModes) lines.push(`skipped ${s.mode}: ${s.reason}`);
  return lines;
}

/**
 * What each ztunnel's resident memory is made of at the end of the run: anonymous (its own heap and
 * buffers) and file-backed pages (mostly the Node.js executable, the same pages every Node.js
 * process on the machine maps), where the provider reports the split per container.
 */
async function ztunnelMemoryNow(cluster: Cluster, namespace: string): Promise<string[]> {
  const lines: string[] = [];
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  for (const pod of await cluster.pods(namespace, { app: 'ztunnel' })) {
    for (const c of Object.values((await cluster.usage(pod)).containers ?? {})) {
      if (c.anonymousBytes === undefined) continue;
      lines.push(
        `  ${pod.name} at the end: RSS ${mib(c.memoryBytes)} MiB = anonymous ${mib(c.anonymousBytes)} + file-backed ${mib(c.memoryBytes - c.anonymousBytes)} (Node.js executable pages, shared)`,
      );
    }
  }
  return lines;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      repetitions: { type: 'string', default: '3' },
      connections: { type: 'string', default: '16' },
    },
  });
  const runId = newRunId('bench-ztunnel');
  const runDir = runDirFor(runId);
  const provider = await getProvider('local');
  const name = `mbztbench${process.pid % 10000}`;
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  try {
    process.stderr.write(`bench:ztunnel: cluster ${name} (2 nodes), reference mesh…\n`);
    const cluster = await provider.up({ name, nodes: 2, signal: controller.signal });
    const mesh = await cluster.installMesh({ implementation: 'reference' }, { timeoutMs: 120_000 });
    const outcome = await runBenchmark(cluster, {
      runId,
      runDir,
      modes: ['baseline', 'ambient'],
      profile: 'quick',
      suites: ['latency', 'throughput', 'resources'],
      mesh,
      connections: [Number(values.connections)],
      durationSeconds: Number(values.duration),
      repetitions: Number(values.repetitions),
      signal: controller.signal,
      onProgress: (suite, p) => process.stderr.write(`  ${suite}: ${JSON.stringify(p)}\n`),
    });
    const memory = await ztunnelMemoryNow(cluster, mesh.systemNamespace);
    process.stdout.write(
      `${[...ztunnelFigures(outcome.result), ...memory].join('\n')}\nresults: ${runDir}\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`bench:ztunnel: ${describeError(err)}\n`);
    return 1;
  } finally {
    await provider.down(name);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main();
