#!/usr/bin/env -S node --import tsx
/**
 * @module scripts/meshbench
 * The `meshbench` command-line entry (`npm start` runs `meshbench main`). The only place that
 * touches the real process streams, signals and exit code; everything else is in `scripts/cli/`.
 * The first SIGINT/SIGTERM asks the running command to stop at its next safe point (providers
 * clean up what they started); a second one exits at once.
 */
import { MeshbenchError } from '../core/errors.ts';
import { runCli } from './cli/program.ts';

const interrupt = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (interrupt.signal.aborted) process.exit(130);
  process.stderr.write(`\nmeshbench: ${signal}: stopping (again to exit at once)\n`);
  interrupt.abort(new MeshbenchError('E_INTERRUPTED', `interrupted by ${signal}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: interrupt.signal,
});
// Port-forwards, watches and pooled sockets may still hold the event loop; the run is over.
process.exit(code);
