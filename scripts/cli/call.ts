/**
 * @module scripts/cli/call
 * `meshbench call --from NS/POD --to URL`: calls through the source pod's echo forward API and
 * prints one row per call. Exits 1 (`E_CALL`) when any call failed.
 */
import type { Command } from 'commander';
import type { CallRequest, PodRef } from '../../clusters/cluster.ts';
import { MeshbenchError } from '../../core/errors.ts';
import { renderCallTable, summarizeCalls } from './call-table.ts';
import { connectTo } from './cluster-access.ts';
import { contextOf } from './context.ts';
import { collectHeader, intAtLeast, parseCallUrl, parsePodRef } from './parse.ts';

interface CallFlags {
  from: PodRef;
  to: string;
  count: number;
  header?: Record<string, string>;
  newConn?: boolean;
  timeout: number;
  method?: string;
  body?: string;
}

/** Registers `call`. */
export function register(program: Command): void {
  program
    .command('call')
    .description("call a URL from a pod through its echo app's forward API and tabulate the outcomes")
    .requiredOption('--from <ns/pod>', 'source pod (runs the echo app)', parsePodRef)
    .requiredOption('--to <url>', 'http://, h2c://, grpc://, tcp:// or server-first:// URL', parseCallUrl)
    .option('--count <n>', 'number of calls', intAtLeast(1), 1)
    .option('-H, --header <key:value>', 'request header (repeatable)', collectHeader)
    .option('--new-conn', "open a new connection for every call (default: the echo app's choice)")
    .option('--timeout <ms>', 'per-call deadline', intAtLeast(1), 5000)
    .option('-X, --method <method>', 'HTTP method')
    .option('--body <text>', 'request body (HTTP) or message (TCP)')
    .action(async function (this: Command, opts: CallFlags) {
      const ctx = contextOf(this);
      const cluster = await connectTo(ctx);
      const request: CallRequest = {
        url: opts.to,
        count: opts.count,
        timeoutMs: opts.timeout,
        ...(opts.newConn ? { newConnectionPerRequest: true } : {}),
        ...(opts.header ? { headers: opts.header } : {}),
        ...(opts.method ? { method: opts.method } : {}),
        ...(opts.body !== undefined ? { body: opts.body } : {}),
      };
      const result = await ctx.progress.run(
        `call ${opts.to} ×${opts.count} from ${opts.from.namespace}/${opts.from.name}`,
        () => cluster.call(opts.from, request),
      );
      ctx.print(renderCallTable(result.outcomes, Boolean(ctx.io.stdout.isTTY)));
      const s = summarizeCalls(result.outcomes);
      ctx.print(`${s.ok}/${s.total} ok, p50 ${s.p50Ms.toFixed(2)} ms, p99 ${s.p99Ms.toFixed(2)} ms`);
      if (s.failed > 0)
        throw new MeshbenchError('E_CALL', `${s.failed} of ${s.total} calls to ${opts.to} failed`);
    });
}
