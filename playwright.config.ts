/**
 * @module playwright.config
 * Conformance runner: one Playwright project per data-plane mode (the columns of the feature table),
 * each running the rows tagged for it; with `MESHBENCH_NEGATIVE_CONTROLS=1` a `<mode>-negative` project
 * per mode applies each row's negative control (the assertion must then fail). The `report` project is
 * the browser test of the HTML report (Debian's Chromium, never downloaded). A global setup brings up or
 * reuses one cluster and installs the mesh; the conformance reporter writes `results/runs/<run>/`.
 */
import { defineConfig, type Project } from '@playwright/test';
import { MODES, type Mode } from './results/conformance/model.ts';
import type { ConformanceReporterOptions } from './results/conformance/reporter.ts';
import { implementationManifest } from './suites/conformance/implementations/index.ts';
import { featureCatalog } from './suites/conformance/rows/index.ts';
import type { ConformanceOptions } from './suites/fixtures/conformance-test.ts';
import { sessionPath } from './suites/fixtures/session.ts';

// One id for the whole run, inherited by the workers and the reporter.
process.env.MESHBENCH_RUN_ID ||= `${new Date()
  .toISOString()
  .replace(/[-:]/g, '')
  .replace(/\.\d+Z$/, 'Z')}-conformance`;
const runId = process.env.MESHBENCH_RUN_ID;
const negative = process.env.MESHBENCH_NEGATIVE_CONTROLS === '1';

function modeProject(mode: Mode, negativeControl: boolean): Project<ConformanceOptions> {
  return {
    name: negativeControl ? `${mode}-negative` : mode,
    testMatch: 'suites/conformance/**/*.spec.ts',
    grep: new RegExp(`@${mode}\\b`),
    // One retry absorbs a transient hiccup; the reporter records the first failure ("flaky: ...").
    retries: negativeControl ? 0 : Number(process.env.MESHBENCH_RETRIES ?? 1),
    use: { mode, negativeControl },
    metadata: { mode, negativeControl },
  };
}

const reporterOptions: ConformanceReporterOptions = {
  catalog: featureCatalog(),
  implementation: implementationManifest().info,
  runId,
  environmentFile: sessionPath(runId),
};

export default defineConfig<ConformanceOptions>({
  testDir: '.',
  testMatch: ['suites/conformance/**/*.spec.ts', 'results/**/*.spec.ts'],
  fullyParallel: true,
  workers: Number(process.env.MESHBENCH_WORKERS || 2),
  timeout: 90_000,
  globalSetup: './suites/conformance/global-setup.ts',
  globalTeardown: './suites/conformance/global-teardown.ts',
  reporter: [['list'], ['./results/conformance/reporter.ts', reporterOptions]],
  projects: [
    ...MODES.map((m) => modeProject(m, false)),
    ...(negative ? MODES.map((m) => modeProject(m, true)) : []),
    {
      name: 'report',
      testMatch: 'results/**/*.spec.ts',
      use: {
        launchOptions: {
          executablePath: process.env.MESHBENCH_CHROMIUM ?? '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
});
