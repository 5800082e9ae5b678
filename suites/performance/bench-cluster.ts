/**
 * @module suites/performance/bench-cluster
 * `npm run bench:cluster`: how long the local provider takes to bring up a 2-node cluster with 10
 * ready pods (and a Service with endpoints), and to tear it down; 5 runs, each printed, then the
 * medians. Goal: up < 5 s, down < 2 s. Reaches the provider only through clusters/connect.ts.
 */
import type { KubeObject } from '../../clusters/cluster.ts';
import { getProvider } from '../../clusters/connect.ts';
import { describeError } from '../../core/errors.ts';

const RUNS = 5;
const PODS = 10;
const NAME = `mbbench-${process.pid % 100000}`;

const workload: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'bench' },
    spec: {
      replicas: PODS,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'python:3',
              command: ['python3', '-m', 'http.server', '8080'],
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { tcpSocket: { port: 'http' } },
            },
          ],
        },
      },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'bench' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
  },
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

async function main(): Promise<number> {
  const provider = await getProvider('local');
  const ups: number[] = [];
  const downs: number[] = [];
  for (let i = 1; i <= RUNS; i++) {
    const t0 = performance.now();
    try {
      const cluster = await provider.up({ name: NAME, nodes: 2 });
      await cluster.apply(workload);
      await cluster.waitReady(
        [
          { kind: 'Deployment', namespace: 'bench', name: 'web' },
          { kind: 'Service', namespace: 'bench', name: 'web' },
        ],
        { timeoutMs: 60_000 },
      );
      const up = performance.now() - t0;
      const t1 = performance.now();
      await provider.down(NAME);
      const down = performance.now() - t1;
      ups.push(up);
      downs.push(down);
      process.stdout.write(
        `run ${i}: up ${(up / 1000).toFixed(2)} s (2 nodes, ${PODS} pods ready), down ${(down / 1000).toFixed(2)} s\n`,
      );
    } catch (err) {
      process.stderr.write(`run ${i} failed: ${describeError(err)}\n`);
      await provider.down(NAME).catch(() => undefined);
      return 1;
    }
  }
  const mu = median(ups) / 1000;
  const md = median(downs) / 1000;
  process.stdout.write(
    `median of ${RUNS}: up ${mu.toFixed(2)} s (goal < 5 s: ${mu < 5 ? 'met' : 'missed'}), down ${md.toFixed(2)} s (goal < 2 s: ${md < 2 ? 'met' : 'missed'})\n`,
  );
  return 0;
}

process.exitCode = await main();
