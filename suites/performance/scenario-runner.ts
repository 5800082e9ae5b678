/**
 * @module suites/performance/scenario-runner
 * The scenario load generator's entry point, run *inside* a client pod (through `Cluster.exec`) so
 * the load leaves from a meshed workload like fortio's does:
 *   node --import tsx suites/performance/scenario-runner.ts --scenario NAME --url BASE [--duration S]
 * Writes autocannon's result as JSON on stdout (kept as the run's native result) and exits 0; any
 * failure is one line on stderr and exit 1.
 */
import { parseArgs } from 'node:util';
import { describeError, MeshbenchError } from '../../core/errors.ts';
import { runAutocannon } from './scenario.ts';
import { getScenario } from './scenarios/index.ts';

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      url: { type: 'string' },
      duration: { type: 'string' },
    },
    strict: true,
  });
  if (!values.scenario || !values.url) {
    throw new MeshbenchError('E_FLAG', 'scenario-runner needs --scenario NAME and --url BASE', {
      hint: 'e.g. --scenario echo-mixed --url http://198.19.0.12:8080',
    });
  }
  const scenario = getScenario(values.scenario);
  const duration = values.duration === undefined ? scenario.durationSeconds : Number(values.duration);
  if (!Number.isFinite(duration) || duration <= 0 || duration > 3600) {
    throw new MeshbenchError(
      'E_FLAG',
      `--duration "${values.duration}" is not a number of seconds in (0, 3600]`,
    );
  }
  const controller = new AbortController();
  process.once('SIGTERM', () => controller.abort());
  const result = await runAutocannon(
    { ...scenario, durationSeconds: duration },
    values.url,
    controller.signal,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`scenario-runner: ${describeError(err)}\n`);
  process.exit(1);
});
