/**
 * @module clusters/local/daemon/api
 * The daemon's HTTP+JSON API on the unix socket `<state>/api.sock`. Every route is `POST /v1/<op>`
 * with a JSON body; errors come back as `{ error: { code, message, details } }`.
 */
import http from 'node:http';
import { MeshbenchError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import type { KubeObject, ObjectRef } from '../../cluster.ts';
import type { LocalDaemon } from './daemon.ts';
import { refOf } from './store.ts';

type Handler = (body: Record<string, unknown>) => Promise<unknown> | unknown;

/** Routes of the API, bound to a daemon. `onStart` / `onShutdown` are lifecycle hooks. */
export function routes(
  d: LocalDaemon,
  hooks: { onStart: () => Promise<void>; onShutdown: () => void },
): Record<string, Handler> {
  return {
    health: () => ({ ok: true, started: d.started, pid: process.pid }),
    start: async () => {
      await hooks.onStart();
      return { ok: true };
    },
    shutdown: () => {
      setImmediate(hooks.onShutdown);
      return { ok: true };
    },
    apply: (b) => {
      d.apply(b.objects as KubeObject[]);
      return { ok: true };
    },
    delete: (b) => {
      d.delete((b.refs as (ObjectRef | KubeObject)[]).map(refOf));
      return { ok: true };
    },
    get: (b) => ({ object: d.store.get(refOf(b.ref as ObjectRef)) ?? null }),
    list: (b) => ({
      items: d.store.list(
        b.kind as string,
        b.namespace as string | undefined,
        b.labelSelector as Record<string, string> | undefined,
      ),
    }),
    pods: (b) => ({
      pods: d.pods(b.namespace as string | undefined, b.labelSelector as Record<string, string> | undefined),
    }),
    ready: (b) => d.readiness(refOf(b.ref as ObjectRef)),
    runtime: (b) => {
      const rt = d.requirePod(b.namespace as string, b.name as string);
      return {
        netns: rt.netns,
        cgroups: rt.cgroups,
        env: rt.env,
        ip: rt.ip,
        node: rt.node.name,
        hostNetwork: rt.hostNetwork,
        containers: rt.containers.map((c) => c.spec.name),
      };
    },
    summary: () => ({
      nodes: d.state.state.nodes.length,
      pods: d.store.list('Pod').length,
      healthy: d.started,
      createdAt: d.state.state.createdAt,
    }),
  };
}

/** Serves `handlers` on `socketPath`. */
export function serveApi(
  socketPath: string,
  handlers: Record<string, Handler>,
  logger: Logger,
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const op = (req.url ?? '').replace(/^\/v1\//, '');
      const send = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
      };
      const handler = handlers[op];
      if (!handler) return send(404, { error: { code: 'E_NOT_FOUND', message: `no API route ${req.url}` } });
      try {
        const body = chunks.length
          ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>)
          : {};
        send(200, await handler(body));
      } catch (err) {
        const e = err as MeshbenchError;
        if (!(err instanceof MeshbenchError))
          logger.error('API handler failed', { op, err: String(err), stack: e.stack });
        send(err instanceof MeshbenchError ? 400 : 500, {
          error: {
            code: e.code ?? 'E_INTERNAL',
            message: e instanceof MeshbenchError ? e.message : String(err),
            name: e.name,
            details: e.details ?? {},
          },
        });
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve(server));
  });
}
