/**
 * @module suites/conformance/lifecycle/workloads.spec
 * Rows `protocols.server-first` and `lifecycle.jobs`.
 * Server-first: the client reads the server's banner before writing anything; no port configuration
 * beyond the Service's `appProtocol: tcp`. Negative control: the server without its server-first
 * listener. Jobs: a Job whose pod connects to a mesh service and exits completes (nothing keeps the
 * pod alive). Negative control: the Job connects to a port nothing listens on.
 */
import type { KubeObject, PodInfo } from '../../../clusters/cluster.ts';
import { call } from '../../fixtures/call.ts';
import { fieldPresent } from '../../fixtures/call-checks.ts';
import { check } from '../../fixtures/check.ts';
import { ECHO_IMAGE } from '../../fixtures/echo-workload.ts';
import { rowTest, test } from '../define-row.ts';
import { clientServer } from '../topology.ts';

test(
  ...rowTest('protocols.server-first', async (ctx) => {
    const { client, server } = await clientServer(
      ctx,
      ctx.control ? { server: { without: ['serverFirst'] } } : {},
    );
    await ctx.expectEventually(
      'server-first calls (client writes nothing first)',
      () =>
        call(ctx.cluster, client.pod, {
          to: server.address,
          scheme: 'server-first',
          count: 3,
          newConnectionPerRequest: true,
          timeoutMs: 3000,
        }),
      fieldPresent('ServerFirst'),
    );
  }),
);

interface JobObservation {
  job: KubeObject | undefined;
  pods: PodInfo[];
  logs: string;
}

/** A one-shot TCP client in Node.js: connect, send, wait for the echo, exit 0 (1 on error, 2 on timeout). */
function jobScript(): string {
  return [
    "const s=require('net').connect({host:process.argv[1],port:Number(process.argv[2])});",
    "s.on('connect',()=>s.write('job\\n'));",
    "s.on('data',()=>{s.destroy();process.exit(0)});",
    "s.on('error',(e)=>{process.stderr.write('connect failed: '+e.code+' '+e.message+'\\n');process.exit(1)});",
    "setTimeout(()=>{process.stderr.write('no echo within 5 s\\n');process.exit(2)},5000);",
  ].join('');
}

test(
  ...rowTest('lifecycle.jobs', async (ctx) => {
    const { client, server } = await clientServer(ctx);
    const port = ctx.control ? 9999 : 9090;
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'one-shot', namespace: client.namespace },
      spec: {
        backoffLimit: 0,
        template: {
          metadata: { labels: { app: 'one-shot' } },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: 'client',
            containers: [
              {
                name: 'job',
                image: ECHO_IMAGE,
                command: ['node', '-e', jobScript(), server.address, String(port)],
              },
            ],
          },
        },
      },
    };
    await ctx.scenario.apply([job]);
    await ctx.expectEventually(
      'the Job',
      async () => ({
        job: await ctx.cluster.get({
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: 'one-shot',
          namespace: client.namespace,
        }),
        pods: await ctx.cluster.pods(client.namespace, { app: 'one-shot' }),
      }),
      check<JobObservation>('the Job completes (its pod Succeeded)', (o) => {
        const status = (o.job?.status ?? {}) as { succeeded?: number; failed?: number };
        const podDone = o.pods.some((p) => p.phase === 'Succeeded');
        if ((status.succeeded ?? 0) >= 1 || podDone) return undefined;
        return {
          expected: 'status.succeeded ≥ 1',
          seen: `succeeded ${status.succeeded ?? 0}, failed ${status.failed ?? 0}; pods ${o.pods.map((p) => `${p.name} ${p.phase} exit ${p.containers[0]?.exitCode ?? '?'}`).join(', ') || 'none'}${o.logs ? `; logs: ${o.logs.slice(-300)}` : ''}`,
        };
      }),
      { timeoutMs: ctx.control ? 8_000 : 15_000 },
    );
  }),
);
