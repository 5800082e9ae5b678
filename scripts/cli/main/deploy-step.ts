/**
 * @module scripts/cli/main/deploy-step
 * Main step `deploy`: applies the demo workload and waits until the echo Deployment is available
 * and the client pod is ready.
 */
import { DEMO, demoObjects } from './demo-workload.ts';
import { type MainStep, requireCluster } from './main-step.ts';

/** The `deploy` step. */
export const deployStep: MainStep = {
  id: 'deploy',
  title: 'deploy demo workload',
  async run(run) {
    const cluster = requireCluster(run);
    const objects = demoObjects();
    await run.cli.progress.run(`apply demo workload (namespace ${DEMO.namespace})`, () =>
      cluster.apply(objects),
    );
    await run.cli.progress.run('wait for echo ×3 and client to be ready', () =>
      cluster.waitReady(objects, {
        timeoutMs: run.options.timeoutMs,
        ...(run.cli.signal ? { signal: run.cli.signal } : {}),
      }),
    );
    const pods = await cluster.pods(DEMO.namespace);
    run.cli.print(`deployed: ${pods.map((p) => `${p.name} (${p.ip || 'no IP'}, ${p.node})`).join(', ')}`);
    run.results.deploy = {
      namespace: DEMO.namespace,
      pods: pods.map((p) => ({ name: p.name, ip: p.ip, node: p.node })),
    };
  },
};
