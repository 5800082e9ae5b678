/**
 * @module scripts/cli/main/conformance-step
 * Main step `conformance`: runs the conformance suite (every mode; rows a mode cannot run are
 * reported not-supported by the suite itself) against the run's cluster, through the same code
 * path as `meshbench conformance --name <cluster>`. The mesh is installed first (or found) so the
 * suite's global setup takes it as pre-installed and leaves it for the latency step. Playwright's
 * output goes to `<main run>/conformance.log`; progress and a summary per mode are printed.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MeshbenchError } from '../../../core/errors.ts';
import { runConformanceSuite } from '../conformance-run.ts';
import { countByMode, ListProgress, readConformanceReport, summaryLine } from './conformance-summary.ts';
import { type MainStep, requireCluster } from './main-step.ts';
import { ensureMesh } from './mesh.ts';

/** The `conformance` step. */
export const conformanceStep: MainStep = {
  id: 'conformance',
  title: 'conformance suite',
  async run(run) {
    requireCluster(run);
    await ensureMesh(run);
    await mkdir(run.options.runDir, { recursive: true });
    const logPath = join(run.options.runDir, 'conformance.log');
    const log = createWriteStream(logPath);
    const progress = new ListProgress();
    const tty = Boolean(run.cli.io.stderr.isTTY);
    let outcome: Awaited<ReturnType<typeof runConformanceSuite>>;
    try {
      outcome = await run.cli.progress.run('conformance (playwright, all modes)', async (task) => {
        let shownTenth = -1;
        return runConformanceSuite(
          run.cli,
          { mode: [], row: [], negativeControls: false },
          {
            cluster: run.cli.globals.name,
            onOutput: (text) => {
              log.write(text);
              if (!progress.feed(text) || progress.total === 0) return;
              // Plain logs get a line per tenth of the run; a terminal redraws on every test.
              const tenth = Math.floor((10 * progress.done) / progress.total);
              if (!tty && tenth === shownTenth) return;
              shownTenth = tenth;
              task.update('tests finished', Math.min(progress.done, progress.total), progress.total);
            },
          },
        );
      });
    } finally {
      await new Promise<void>((resolve) => log.end(resolve));
    }
    run.cli.signal?.throwIfAborted();
    const report = await readConformanceReport(outcome.runDir).catch((err: unknown) => {
      throw new MeshbenchError(
        'E_CHECK_FAILED',
        `conformance wrote no readable report in ${outcome.runDir}`,
        {
          cause: err,
          hint: `Playwright exited ${outcome.exitCode}; its output is in ${logPath}`,
        },
      );
    });
    const counts = countByMode(report.modes, report.outcomes);
    run.cli.print(`results: ${outcome.runDir}/conformance.json, ${outcome.runDir}/feature-table.md`);
    run.cli.print(`playwright output: ${logPath}`);
    run.cli.print(`conformance: ${summaryLine(counts)}`);
    const bad = report.outcomes.filter(
      (o) => !o.negativeControl && (o.status === 'failed' || o.status === 'defect'),
    );
    for (const o of bad) {
      run.cli.print(
        `  ${o.status} ${o.mode} ${o.feature}: ${(o.reason ?? '').split('\n')[0]!.slice(0, 200)}`,
      );
    }
    run.results.conformance = {
      run: outcome.runId,
      dir: outcome.runDir,
      log: logPath,
      playwrightExit: outcome.exitCode,
      counts,
    };
    if (outcome.exitCode !== 0 || bad.length > 0) {
      throw new MeshbenchError(
        'E_CHECK_FAILED',
        `conformance failed: ${bad.map((o) => `${o.mode} ${o.feature}`).join(', ') || `playwright exit ${outcome.exitCode}`}`,
        { hint: `see ${outcome.runDir}/feature-table.md and ${logPath}` },
      );
    }
  },
};
