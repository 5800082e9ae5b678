/**
 * @module scripts/cli/main/latency-step
 * Main step `latency`: a quick latency run (Istio's method, `quick` profile, fortio) of every mode
 * on the run's cluster and mesh, through `runBenchmark` like `meshbench bench`, printing the added
 * p90/p99 row next to the seed's published figures. Modes that cannot be deployed (no waypoint or
 * sidecar in the mesh yet) are reported skipped with their reason, not as failures; the waypoint
 * wait is kept short so a missing waypoint controller costs seconds, not the 120 s default. A mode
 * the implementation declares (ambient for the reference mesh) must be measured: skipping it fails.
 */
import { MeshbenchError } from '../../../core/errors.ts';
import { newRunId, runDirFor } from '../../../results/performance/run-dir.ts';
import { MODES } from '../../../results/performance/types.ts';
import { runBenchmark } from '../../../suites/performance/run-benchmark.ts';
import { latencyRowTable } from '../bench.ts';
import { type MainStep, requireCluster } from './main-step.ts';
import { ensureMesh, meshManifest } from './mesh.ts';

/** How long main waits for a waypoint Gateway before reporting the mode skipped. */
export const WAYPOINT_TIMEOUT_MS = 15_000;

/** The `latency` step. */
export const latencyStep: MainStep = {
  id: 'latency',
  title: 'latency (quick)',
  async run(run) {
    const cluster = requireCluster(run);
    const mesh = await ensureMesh(run);
    const runId = newRunId('perf-main');
    const runDir = runDirFor(runId);
    const outcome = await run.cli.progress.run(`latency: ${MODES.join(', ')} (quick profile)`, (task) =>
      runBenchmark(cluster, {
        runId,
        runDir,
        modes: MODES,
        profile: 'quick',
        suites: ['latency'],
        mesh,
        waypointTimeoutMs: WAYPOINT_TIMEOUT_MS,
        logger: run.cli.logger,
        ...(run.cli.signal ? { signal: run.cli.signal } : {}),
        onProgress: (_suite, p) => task.update(p.step, p.done, p.total),
      }),
    );
    const r = outcome.result;
    for (const s of r.skippedModes) run.cli.print(`skipped ${s.mode}: ${s.reason}`);
    run.cli.print('Average latency (p90/p99), added over baseline, measured vs published (istio.io):');
    run.cli.print(latencyRowTable(r));
    run.cli.print(`results: ${outcome.performancePath}`);
    run.cli.print(`report:  ${outcome.reportPath}`);
    run.results.latency = {
      run: runId,
      dir: runDir,
      measured: r.summary.map((s) => ({ mode: s.mode, p90AddedMs: s.p90AddedMs, p99AddedMs: s.p99AddedMs })),
      skipped: r.skippedModes,
    };
    const declared = new Set<string>(meshManifest(run).modes);
    const missing = r.skippedModes.filter((s) => declared.has(s.mode));
    if (missing.length > 0) {
      throw new MeshbenchError(
        'E_CHECK_FAILED',
        `latency: ${missing.map((s) => `${s.mode} (${s.reason})`).join('; ')} could not be measured, yet the mesh declares it`,
        { hint: `see ${outcome.performancePath}` },
      );
    }
  },
};
