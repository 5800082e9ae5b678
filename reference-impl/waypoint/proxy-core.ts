/**
 * @module reference-impl/waypoint/proxy-core
 * The HTTP proxy core shared by the waypoint and the sidecar: takes one downstream request (Node's
 * HTTP/1.1 or HTTP/2 compatibility request/response, whatever carried it), authenticates its JWT,
 * asks the L7 engine for a decision, and either answers locally or forwards upstream over the
 * injected clients (same protocol as downstream), with circuit breaking, per-request timeout (504),
 * retries (request body buffered when retries or mirrors need it), mirrors, response header edits,
 * the HTTP local rate limit (429),
 * a W3C trace context when the request has none, and one telemetry record per request.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type http2 from 'node:http2';
import type { Logger } from '../../core/logger.ts';
import type { L7Backend } from '../api/l7.ts';
import type { Service, Workload } from '../api/workload.ts';
import { serviceKey } from '../api/workload.ts';
import type { WorkloadState } from '../ztunnel/state/workload-store.ts';
import { applyHeaderModifiers } from './header-ops.ts';
import { authenticate } from './jwt.ts';
import { decide, type ForwardPlan, type LocalResponse, type ServiceL7 } from './l7-engine.ts';
import { flattenHeaders, type L7Request, type L7Source } from './l7-request.ts';
import { createRequestLimiter, requestLimits } from './request-limiter.ts';
import { createRequestRateLimiter } from './request-rate-limit.ts';
import type { RequestTelemetry } from './request-telemetry.ts';
import { type AttemptOutcome, retryBackoffMs, shouldRetry } from './retry-policy.ts';
import type { createEndpointPicker, UpstreamClients, UpstreamTarget } from './upstream.ts';

type DownReq = http.IncomingMessage | http2.Http2ServerRequest;
type DownRes = http.ServerResponse | http2.Http2ServerResponse;

/** Where the downstream request was going and who sent it. */
export interface DownstreamContext {
  /** As addressed: the service `VIP:port` (or a pod `IP:port`). */
  destination: { ip: string; port: number };
  source: L7Source;
}

/** Everything the core is built from. */
export interface ProxyCoreOptions {
  reporter: 'waypoint' | 'source' | 'destination';
  state: WorkloadState;
  l7(serviceKey: string): ServiceL7;
  picker: ReturnType<typeof createEndpointPicker>;
  clients: UpstreamClients;
  telemetry: RequestTelemetry;
  logger: Logger;
  /** Cap on a buffered request body (retries, mirrors); larger bodies are not retried. */
  maxBufferedBodyBytes?: number;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
  'host',
  'te',
]);

function upstreamHeaders(h: Record<string, string>, http2: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (!HOP_BY_HOP.has(k)) out[k] = v;
  if (http2 && h.te === 'trailers') out.te = 'trailers';
  return out;
}

function responseHeaders(
  h: http.IncomingHttpHeaders | http2.IncomingHttpHeaders,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || k.startsWith(':') || HOP_BY_HOP.has(k)) continue;
    out[k] = v as string | string[];
  }
  return out;
}

/** What an upstream attempt produced. */
type Attempt =
  | {
      kind: 'response';
      status: number;
      headers: Record<string, string | string[]>;
      body: NodeJS.ReadableStream;
      trailers?: Promise<Record<string, string>>;
      abort(): void;
      grpcStatus?: number;
    }
  | { kind: 'error'; outcome: AttemptOutcome; message: string };

/** A sampled W3C trace context: one 24-byte random read for trace id (16) and span id (8). */
function newTraceparent(): string {
  const hex = randomBytes(24).toString('hex');
  return `00-${hex.slice(0, 32)}-${hex.slice(32)}-01`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates the core; `handle` serves one request. */
export function createProxyCore(o: ProxyCoreOptions) {
  const limiter = createRequestLimiter();
  const rateLimiter = createRequestRateLimiter();
  const maxBuffer = o.maxBufferedBodyBytes ?? 4 * 1024 * 1024;

  const sendAttempt = (
    target: UpstreamTarget,
    plan: ForwardPlan,
    method: string,
    h2: boolean,
    body: Buffer | DownReq,
    perTryMs: number | undefined,
  ): Promise<Attempt> =>
    new Promise((resolve) => {
      let settled = false;
      const settle = (a: Attempt) => {
        if (!settled) {
          settled = true;
          resolve(a);
        }
      };
      const headers = upstreamHeaders(plan.headers, h2);
      let timer: NodeJS.Timeout | undefined;
      const arm = (abort: () => void) => {
        if (perTryMs === undefined) return;
        timer = setTimeout(() => {
          abort();
          settle({ kind: 'error', outcome: { kind: 'timeout' }, message: `per-try timeout ${perTryMs} ms` });
        }, perTryMs);
      };
      const write = (w: NodeJS.WritableStream & { end(b?: Buffer): void }) => {
        if (Buffer.isBuffer(body)) w.end(body);
        else (body as NodeJS.ReadableStream).pipe(w);
      };
      if (h2) {
        o.clients.session(target).then(
          (session) => {
            let stream: http2.ClientHttp2Stream;
            try {
              stream = session.request({
                ':method': method,
                ':path': plan.path,
                ':authority': plan.authority,
                ':scheme': 'http',
                ...headers,
              });
            } catch (err) {
              settle({ kind: 'error', outcome: { kind: 'reset' }, message: String(err) });
              return;
            }
            arm(() => stream.close());
            const trailers = new Promise<Record<string, string>>((r) => {
              stream.once('trailers', (t) => r(flattenHeaders(t as Record<string, string>)));
              stream.once('close', () => r({}));
            });
            stream.once('response', (rh) => {
              clearTimeout(timer);
              const grpc = rh['grpc-status'];
              settle({
                kind: 'response',
                status: Number(rh[':status']),
                headers: responseHeaders(rh),
                body: stream,
                trailers,
                abort: () => stream.close(),
                ...(grpc !== undefined ? { grpcStatus: Number(grpc) } : {}),
              });
            });
            stream.once('error', (err) => {
              clearTimeout(timer);
              settle({ kind: 'error', outcome: { kind: 'reset' }, message: err.message });
            });
            write(stream);
          },
          (err: Error) =>
            settle({ kind: 'error', outcome: { kind: 'connect-failure' }, message: err.message }),
        );
        return;
      }
      const req = http.request({
        agent: o.clients.agent(target),
        method,
        path: plan.path,
        headers: { ...headers, host: plan.authority },
      });
      arm(() => req.destroy());
      req.once('response', (res) => {
        clearTimeout(timer);
        settle({
          kind: 'response',
          status: res.statusCode ?? 502,
          headers: responseHeaders(res.headers),
          body: res,
          abort: () => res.destroy(),
        });
      });
      req.once('error', (err: Error & { code?: string }) => {
        clearTimeout(timer);
        const connect =
          /HBONE|ECONNREFUSED|connect/i.test(`${err.message} ${err.code ?? ''}`) && !req.reusedSocket;
        settle({
          kind: 'error',
          outcome: { kind: connect ? 'connect-failure' : 'reset' },
          message: err.message,
        });
      });
      write(req);
    });

  const readBody = (req: DownReq, limit: number): Promise<Buffer | undefined> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let n = 0;
      req.on('data', (c: Buffer) => {
        n += c.length;
        if (n <= limit) chunks.push(c);
      });
      req.once('end', () => resolve(n <= limit ? Buffer.concat(chunks) : undefined));
      req.once('error', reject);
    });

  const mirror = (
    m: { service: string; port?: number },
    plan: ForwardPlan,
    method: string,
    h2: boolean,
    body: Buffer,
    port: number,
    ctx: DownstreamContext,
    sourceWorkload: Workload | undefined,
  ) => {
    const svc = o.picker.service(m.service);
    if (!svc) return;
    const target = o.picker.pick(svc, m.port ?? port);
    if (!target) return;
    const start = performance.now();
    const authority = `${plan.authority.replace(/:\d+$/, '')}-shadow`;
    void sendAttempt(target, { ...plan, authority }, method, h2, body, 10_000).then((a) => {
      if (a.kind === 'response') a.body.resume();
      o.telemetry.record({
        reporter: o.reporter,
        method,
        path: plan.path,
        authority,
        protocol: 'http',
        httpVersion: h2 ? 'HTTP/2' : 'HTTP/1.1',
        status: a.kind === 'response' ? a.status : 503,
        responseFlags: a.kind === 'response' ? '-' : 'UF',
        durationMs: performance.now() - start,
        requestBytes: body.length,
        responseBytes: 0,
        source: { ip: ctx.source.ip, principal: ctx.source.principal, workload: sourceWorkload },
        destination: { workload: target.workload, ip: target.ip, port: target.port },
        service: { hostname: svc.hostname, name: svc.name, namespace: svc.namespace },
        accessLog: false,
        metrics: true,
      });
    });
  };

  async function handle(req: DownReq, res: DownRes, ctx: DownstreamContext): Promise<void> {
    const start = performance.now();
    const h2 = req.httpVersionMajor === 2;
    const rawHeaders = flattenHeaders(req.headers as Record<string, string | string[]>);
    const authority =
      (req.headers[':authority'] as string | undefined) ??
      rawHeaders.host ??
      `${ctx.destination.ip}:${ctx.destination.port}`;
    const path = (req.headers[':path'] as string | undefined) ?? req.url ?? '/';
    const method = req.method ?? 'GET';
    const grpc = (rawHeaders['content-type'] ?? '').startsWith('application/grpc');
    const service: Service | undefined = o.state.serviceByVip(ctx.destination.ip);
    const podWorkload = service ? undefined : o.state.workloadByIp(ctx.destination.ip);
    const sourceWorkload = ctx.source.ip ? o.state.workloadByIp(ctx.source.ip) : undefined;
    const svcKey = service ? serviceKey(service) : '';
    const l7 = service ? o.l7(svcKey) : {};
    const logsOn = l7.telemetry?.accessLogging?.disabled !== true;
    const metricsOn = l7.telemetry?.metrics?.disabled !== true;
    let requestBytes = 0;
    let responseBytes = 0;
    let upstreamTarget: UpstreamTarget | undefined;
    let routeName: string | undefined;
    let finalStatus = 0;
    let grpcStatus: string | undefined;
    let flags = '-';
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      o.telemetry.record({
        reporter: o.reporter,
        method,
        path,
        authority,
        protocol: grpc ? 'grpc' : 'http',
        httpVersion: h2 ? 'HTTP/2' : `HTTP/${req.httpVersion}`,
        status: finalStatus || res.statusCode,
        ...(grpcStatus !== undefined ? { grpcStatus } : {}),
        responseFlags: flags,
        durationMs: performance.now() - start,
        requestBytes,
        responseBytes,
        source: { ip: ctx.source.ip, principal: ctx.source.principal, workload: sourceWorkload },
        destination: {
          workload: upstreamTarget?.workload ?? podWorkload,
          ip: upstreamTarget?.ip,
          port: upstreamTarget?.port,
        },
        ...(service
          ? { service: { hostname: service.hostname, name: service.name, namespace: service.namespace } }
          : {}),
        ...(routeName ? { route: routeName } : {}),
        accessLog: logsOn,
        metrics: metricsOn,
      });
    };
    res.once('close', record);
    const respond = (status: number, body: string, headers: Record<string, string> = {}, flag = '-') => {
      flags = flag;
      finalStatus = status;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const b = Buffer.from(body);
      responseBytes = b.length;
      res.writeHead(status, { 'content-length': String(b.length), ...headers });
      res.end(b);
    };

    if (!service && !podWorkload) {
      respond(503, 'no healthy upstream', {}, 'NR');
      return;
    }
    // The EnvoyFilter local rate limit is inserted first in the HTTP filter chain (before JWT/RBAC).
    if (service && !rateLimiter.admit(svcKey, l7.trafficPolicy?.localRateLimit)) {
      respond(429, 'local_rate_limited', {}, 'RL');
      req.resume();
      return;
    }
    const l7req: L7Request = {
      method,
      path,
      authority,
      headers: rawHeaders,
      port: ctx.destination.port,
      source: ctx.source,
      grpc,
    };
    const authn = await authenticate(l7.security?.jwtRules ?? [], rawHeaders, path);
    if (!authn.ok) {
      respond(401, 'Jwt verification fails', { 'www-authenticate': 'Bearer realm="mesh"' }, 'UAEX');
      return;
    }
    if (authn.endUser) l7req.endUser = authn.endUser;
    for (const h of authn.tokenHeaders) delete l7req.headers[h];

    const decision = service
      ? decide(l7req, svcKey, l7)
      : ({
          kind: 'forward',
          backend: { service: '', weight: 1 },
          path,
          authority,
          headers: rawHeaders,
          responseHeaders: [],
          mirrors: [],
        } satisfies ForwardPlan);
    routeName = decision.route?.name;
    if (decision.kind === 'respond') {
      const local = decision as LocalResponse;
      if (local.delayMs) await sleep(local.delayMs);
      const flag =
        local.reason === 'authz-denied'
          ? 'RBAC'
          : local.reason === 'fault-abort'
            ? 'FI'
            : local.reason === 'no-route'
              ? 'NR'
              : '-';
      if (grpc && local.grpcStatus !== undefined) {
        flags = flag;
        finalStatus = 200;
        grpcStatus = String(local.grpcStatus);
        res.writeHead(200, {
          'content-type': 'application/grpc',
          'grpc-status': grpcStatus,
          'grpc-message': local.body,
        });
        res.end();
        return;
      }
      respond(local.status, local.body, local.headers, flag);
      return;
    }
    const plan = decision;
    if (plan.delayMs) await sleep(plan.delayMs);
    if (!plan.headers.traceparent && !plan.headers['x-b3-traceid'])
      plan.headers.traceparent = newTraceparent();
    plan.headers['x-request-id'] ??= randomUUID();
    plan.headers['x-forwarded-proto'] ??= 'http';
    if (ctx.source.principal)
      plan.headers['x-forwarded-client-cert'] =
        `By=spiffe://${ctx.source.principal};URI=spiffe://${ctx.source.principal}`;

    // The backend: a routed service, or the destination service / pod itself.
    const backend: L7Backend = plan.backend;
    const backendService = backend.service ? o.picker.service(backend.service) : undefined;
    const backendPort =
      backend.port ??
      (backendService && backendService !== service && backendService.ports.length === 1
        ? backendService.ports[0]!.servicePort
        : ctx.destination.port);
    const policy = backendService ? o.l7(serviceKey(backendService)).trafficPolicy : undefined;
    // An unknown subset selects nothing (Envoy: no cluster → 503).
    const subsetLabels = backend.subset
      ? (policy?.subsets.find((s) => s.name === backend.subset)?.labels ?? {
          version: `\u0000unknown-subset-${backend.subset}`,
        })
      : undefined;
    const admission = limiter.acquire(
      backendService ? serviceKey(backendService) : ctx.destination.ip,
      requestLimits(policy?.connectionPool, h2),
    );
    if (admission === 'overflow') {
      respond(
        503,
        'upstream connect error or disconnect/reset before headers. reset reason: overflow',
        { 'x-envoy-overloaded': 'true' },
        'UO',
      );
      req.resume();
      return;
    }
    const release = await admission;
    res.once('close', release);

    const needBuffer = (plan.retries?.attempts ?? 0) > 0 || plan.mirrors.length > 0;
    let body: Buffer | DownReq = req;
    if (needBuffer) {
      const b = await readBody(req, maxBuffer);
      if (b) {
        body = b;
        requestBytes = b.length;
      }
    } else {
      req.on('data', (c: Buffer) => {
        requestBytes += c.length;
      });
    }
    if (Buffer.isBuffer(body))
      for (const m of plan.mirrors) mirror(m, plan, method, h2, body, backendPort, ctx, sourceWorkload);

    const deadline = plan.timeoutMs ? start + plan.timeoutMs : undefined;
    let timedOut = false;
    let current: Attempt | undefined;
    const overall = deadline
      ? setTimeout(() => {
          timedOut = true;
          if (current?.kind === 'response') current.abort();
          respond(504, 'upstream request timeout', {}, 'UT');
        }, deadline - performance.now())
      : undefined;
    res.once('close', () => clearTimeout(overall));
    const tried = new Set<string>();
    const retries = Buffer.isBuffer(body) ? plan.retries : undefined;
    for (let attempt = 1; ; attempt++) {
      if (timedOut) return;
      const target = podWorkload
        ? { workload: podWorkload, ip: ctx.destination.ip, port: ctx.destination.port }
        : backendService
          ? o.picker.pick(backendService, backendPort, tried, subsetLabels)
          : undefined;
      if (!target) {
        clearTimeout(overall);
        respond(503, 'no healthy upstream', {}, 'UH');
        return;
      }
      upstreamTarget = target;
      tried.add(target.ip);
      const remaining = deadline ? Math.max(1, deadline - performance.now()) : undefined;
      const perTry = retries?.perTryTimeoutMs ?? remaining;
      const a = await sendAttempt(
        target,
        plan,
        method,
        h2,
        body,
        perTry === undefined ? undefined : Math.min(perTry, remaining ?? perTry),
      );
      current = a;
      if (timedOut) {
        if (a.kind === 'response') a.abort();
        return;
      }
      const outcome: AttemptOutcome =
        a.kind === 'response'
          ? {
              kind: 'response',
              status: a.status,
              ...(a.grpcStatus !== undefined ? { grpcStatus: a.grpcStatus } : {}),
            }
          : a.outcome;
      if (shouldRetry(retries, attempt, outcome)) {
        if (a.kind === 'response') a.abort();
        await sleep(retryBackoffMs(attempt, Math.random()));
        continue;
      }
      if (a.kind === 'error') {
        clearTimeout(overall);
        const status = a.outcome.kind === 'timeout' ? 504 : 503;
        const flag = a.outcome.kind === 'timeout' ? 'UT' : a.outcome.kind === 'connect-failure' ? 'UF' : 'UR';
        respond(
          status,
          `upstream connect error or disconnect/reset before headers. reset reason: ${a.message}`,
          {},
          attempt > 1 ? 'URX' : flag,
        );
        return;
      }
      clearTimeout(overall);
      finalStatus = a.status;
      if (a.grpcStatus !== undefined) grpcStatus = String(a.grpcStatus);
      const headers = applyHeaderModifiers(
        Object.fromEntries(
          Object.entries(a.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
        ),
        ...plan.responseHeaders,
      );
      if (a.headers['set-cookie']) headers['set-cookie'] = a.headers['set-cookie'] as unknown as string;
      res.writeHead(a.status, headers);
      a.body.on('data', (c: Buffer) => {
        responseBytes += c.length;
      });
      if (a.trailers && h2) {
        a.trailers.then((t) => {
          if (t['grpc-status'] !== undefined) grpcStatus = t['grpc-status'];
          if (Object.keys(t).length > 0 && 'addTrailers' in res) res.addTrailers(t);
        });
        // Trailers arrive before 'end': end the response only after they were added.
        a.body.pipe(res as NodeJS.WritableStream, { end: false });
        a.body.once('end', () => {
          void a.trailers!.then(() => res.end());
        });
      } else {
        a.body.pipe(res as NodeJS.WritableStream);
      }
      a.body.once('error', () => res.destroy());
      return;
    }
  }

  return {
    handle(req: DownReq, res: DownRes, ctx: DownstreamContext): void {
      handle(req, res, ctx).catch((err: unknown) => {
        o.logger.warn('request failed', { error: String(err) });
        if (!res.headersSent) {
          res.writeHead(500);
          res.end();
        } else res.destroy();
      });
    },
    limiter,
  };
}
