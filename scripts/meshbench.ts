#!/usr/bin/env -S node --import tsx
/**
 * @module scripts/meshbench
 * The `meshbench` command-line entry (`npm start` runs `meshbench main`). The only place that
 * touches the real process streams and sets the exit code; everything else is in `scripts/cli/`.
 */
import { runCli } from './cli/program.ts';

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
// Port-forwards, watches and pooled sockets may still hold the event loop; the run is over.
process.exit(code);
