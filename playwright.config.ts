/**
 * @module playwright.config
 * Conformance runner: one Playwright project per data-plane mode (the columns of the feature table),
 * plus the browser tests of the HTML report. Chromium is Debian's (never downloaded).
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: ['suites/conformance/**/*.spec.ts', 'results/**/*.spec.ts'],
  fullyParallel: false,
  workers: 1,
  timeout: 60_000,
  reporter: [['list']],
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
});
