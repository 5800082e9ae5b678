import { SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Cluster, MeshInfo } from '../../clusters/cluster.ts';
import { getProvider } from '../../clusters/connect.ts';
import { describeError } from '../../core/errors.ts';
import { writePerformanceCharts } from '../../results/charts/write-charts.ts';
import { PUBLISHED_ADDED_LATENCY } from '../../results/performance/published.ts';
import { summariseResources } from '../../results/performance/resource-summary.ts';
import { newRunId, runDirFor } from '../../results/performance/run-dir.ts';
import { readPerformanceResult } from '../../results/performance/store.ts';
import { MODES, type Mode, type PerformanceResult } from '../../results/performance/types.ts';
import { writeReport } from '../../results/report/write-report.ts';
import { runBenchmark, SUITES, type SuiteName } from '../../suites/performance/run-benchmark.ts';
import type { CliContext } from './context.ts';
import { contextOf } from './context.ts';
import { intAtLeast } from './parse.ts';
import { renderTable } from './table.ts';

interface BenchOptions {
  profile: 'quick' | 'full';
  mode: Mode[];
  suite: SuiteName[];
  mesh: 'none' | 'reference' | 'istio';
  create: boolean;
  nodes: number;
  connections?: number[];
  replicas?: number[];
  duration?: number;
  repetitions?: number;
  runId?: string;
}

const collect =
  <T extends string>(allowed: readonly T[], what: string) =>
  (value: string, previous: T[] = []): T[] => {
    if (!allowed.includes(value as T))
      throw new InvalidArgumentError(`${what} "${value}" is not one of ${allowed.join(', ')}`);
    return [...previous, value as T];
  };

function parseConnections(value: string): number[] {
  const list = value.split(',').map((v) => Number(v.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1))
    throw new InvalidArgumentError(`"${value}" is not a list like 2,4,8`);
  return list;
}

function parseReplicas(value: string): number[] {
  const list = parseConnections(value);
  if (list.some((n) => n > 64)) throw new InvalidArgumentError(`"${value}": at most 64 replicas per step`);
  return list;
}

/** The seed row next to the measured one, as a table. */
export function latencyRowTable(result: PerformanceResult): string {
  const rows = (['ambient', 'waypoint', 'sidecar'] as const).map((mode) => {
    const s = result.summary.find((x) => x.mode === mode);
    const pub = PUBLISHED_ADDED_LATENCY[mode];
    const skipped = result.skippedModes.find((x) => x.mode === mode);
    return [
      mode,
      s ? s.p90AddedMs.toFixed(3) : skipped ? 'skipped' : '—',
      s ? s.p99AddedMs.toFixed(3) : skipped ? 'skipped' : '—',
      pub.p90Ms.toFixed(2),
      pub.p99Ms.toFixed(2),
    ];
  });
  return renderTable(['mode', 'added p90 (ms)', 'added p99 (ms)', 'published p90', 'published p99'], rows);
}

/** A progress display: cli-progress bar on a TTY, plain lines otherwise. */
function pointProgress(ctx: CliContext) {
  const tty = Boolean(ctx.io.stderr.isTTY);
  const bar = tty
    ? new SingleBar({
        stream: ctx.io.stderr as NodeJS.WritableStream,
        format: '{suite} [{bar}] {value}/{total} {step}',
        hideCursor: true,
      })
    : undefined;
  let started = false;
  let last = '';
  return {
    update(suite: string, step: string, done: number, total: number) {
      if (bar) {
        if (!started && total > 0) {
          bar.start(total, done, { suite, step });
          started = true;
        } else if (started) {
          bar.setTotal(Math.max(total, 1));
          bar.update(done, { suite, step });
        }
        return;
      }
      const line = total ? `${suite} ${done}/${total} ${step}` : `${suite} ${step}`;
      if (line !== last) ctx.io.stderr.write(`${line}\n`);
      last = line;
    },
    stop() {
      if (started) bar?.stop();
    },
  };
}

/** Registers `bench` and `report`. */
export function register(program: Command): void {
  program
    .command('report')
    .description('re-render the charts and report.html of a finished run from its performance.json')
    .argument('<run>', 'run id under results/runs/, or a run directory')
    .action(async function (this: Command, run: string) {
      const ctx = contextOf(this);
      const dir = runDirFor(run);
      const result = await readPerformanceResult(dir);
      const charts = await writePerformanceCharts(dir, result);
      ctx.print(`charts: ${charts.length} in ${dir}/charts`);
      ctx.print(`report: ${await writeReport(dir, result)}`);
    });

  program
    .command('bench')
    .description('run the performance suites (fortio, Istio’s method) and write results, charts and a report')
    .addOption(
      new Option('--profile <profile>', 'quick: seconds per point; full: 240 s per point')
        .choices(['quick', 'full'])
        .default('quick'),
    )
    .option(
      '--mode <mode>',
      `data-plane mode, repeatable (${MODES.join(', ')}); baseline is always added`,
      collect(MODES, 'mode'),
    )
    .option(
      '--suite <suite>',
      `suite, repeatable (${SUITES.join(', ')}); default latency`,
      collect(SUITES, 'suite'),
    )
    .addOption(
      new Option('--mesh <impl>', 'install this mesh first (none: only baseline can run)')
        .choices(['none', 'reference', 'istio'])
        .default('none'),
    )
    .option('--create', 'create a fresh cluster named --name and remove it at the end', false)
    .option('--nodes <n>', 'nodes of a created cluster', intAtLeast(2), 2)
    .option('--connections <list>', 'override connection counts, e.g. 2,8', parseConnections)
    .option(
      '--replicas <list>',
      'override the scaling steps of the resource suite, e.g. 1,2,4,8,16,32',
      parseReplicas,
    )
    .option('--duration <seconds>', 'override seconds per point', intAtLeast(1))
    .option('--repetitions <n>', 'override repetitions', intAtLeast(1))
    .option('--run-id <id>', 'run id (default: timestamp)')
    .action(async function (this: Command, opts: BenchOptions) {
      const ctx = contextOf(this);
      const modes: Mode[] = opts.mode?.length ? [...new Set<Mode>(['baseline', ...opts.mode])] : ['baseline'];
      const runId = opts.runId ?? newRunId(`perf-${opts.profile}`);
      const runDir = runDirFor(runId);
      const abort = new AbortController();
      const onSignal = () => abort.abort(new Error('interrupted'));
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const provider = await getProvider(ctx.globals.provider);
      let cluster: Cluster | undefined;
      const progress = pointProgress(ctx);
      try {
        cluster = opts.create
          ? await ctx.progress.run(
              `cluster up ${ctx.globals.name} (${provider.name}, ${opts.nodes} nodes)`,
              () => provider.up({ name: ctx.globals.name, nodes: opts.nodes, signal: abort.signal }),
            )
          : await provider.connect(ctx.globals.name);
        let mesh: MeshInfo | undefined;
        if (opts.mesh !== 'none') {
          const c = cluster;
          mesh = await ctx.progress.run(`mesh install ${opts.mesh}`, () =>
            c.installMesh({ implementation: opts.mesh as 'reference' | 'istio' }, { timeoutMs: 300_000 }),
          );
        }
        ctx.print(`run ${runId}: ${runDir}`);
        const outcome = await runBenchmark(cluster, {
          runId,
          runDir,
          modes,
          profile: opts.profile,
          suites: opts.suite?.length ? opts.suite : ['latency'],
          mesh,
          logger: ctx.logger,
          signal: abort.signal,
          ...(opts.connections ? { connections: opts.connections } : {}),
          ...(opts.replicas ? { replicas: opts.replicas } : {}),
          ...(opts.duration ? { durationSeconds: opts.duration } : {}),
          ...(opts.repetitions ? { repetitions: opts.repetitions } : {}),
          onProgress: (suite, p) => progress.update(suite, p.step, p.done, p.total),
        });
        progress.stop();
        const r = outcome.result;
        for (const s of r.skippedModes) ctx.print(`skipped ${s.mode}: ${s.reason}`);
        if (r.latency.length) {
          ctx.print('Average latency (p90/p99), added over baseline, measured vs published (istio.io):');
          ctx.print(latencyRowTable(r));
        }
        for (const t of r.throughput) {
          ctx.print(
            `${t.mode} ${t.test}: ${t.ratePerSecond.toFixed(0)} calls/s, ${(t.bytesPerSecond / 1e6).toFixed(1)} MB/s, p99 ${t.p99Ms.toFixed(3)} ms`,
          );
        }
        for (const p of r.scenarios ?? []) {
          const failed = Object.entries(p.thresholds).filter(([, t]) => !t.ok);
          ctx.print(
            `scenario ${p.scenario} ${p.mode} r${p.repetition}: ${p.qpsActual.toFixed(0)} req/s, p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms, thresholds ${failed.length ? `failed (${failed.map(([k, t]) => `${k} ${t.actual.toFixed(3)} > ${t.limit}`).join(', ')})` : 'ok'}`,
          );
        }
        for (const x of summariseResources(r)) {
          ctx.print(
            `resource cost ${x.mode}: ${x.vcpuPer1000Rps.toFixed(3)} vCPU and ${x.peakMemoryMiB.toFixed(1)} MiB per 1000 rps over ${x.proxies} proxies (published: ${x.publishedVcpuPer1000Rps.toFixed(2)} vCPU, ${x.publishedMemoryMiB} MB)`,
          );
        }
        for (const u of r.resources) {
          ctx.print(
            `${u.mode} ${u.component} ${u.pod}: ${u.cpuCoresPer1000Rps.toFixed(3)} vCPU per 1000 rps, peak ${u.peakMemoryMiB.toFixed(1)} MiB`,
          );
        }
        const base = r.latency.filter((p) => p.mode === 'baseline');
        if (base.length) {
          const med = (f: 'p90Ms' | 'p99Ms') =>
            [...base.map((p) => p[f])].sort((a, b) => a - b)[Math.floor(base.length / 2)]!;
          ctx.print(
            `baseline latency (median point): p90 ${med('p90Ms').toFixed(3)} ms, p99 ${med('p99Ms').toFixed(3)} ms over ${base.length} points`,
          );
        }
        ctx.print(`results: ${outcome.performancePath}`);
        ctx.print(`charts:  ${outcome.charts.length} in ${runDir}/charts`);
        ctx.print(`report:  ${outcome.reportPath}`);
      } finally {
        progress.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        if (opts.create) {
          await ctx.progress
            .run(`cluster down ${ctx.globals.name}`, () => provider.down(ctx.globals.name))
            .catch((err) => ctx.logger.error('cluster down failed', { error: describeError(err) }));
        }
      }
    });
}
