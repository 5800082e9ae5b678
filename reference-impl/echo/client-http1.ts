/**
 * @module reference-impl/echo/client-http1
 * `http://` calls over HTTP/1.1 with node:http. Reuse keeps one keep-alive connection for the whole
 * forward (an agent with one socket); otherwise each call dials its own connection. Connections are
 * opened by `dial`, so SOCKS5 works the same way.
 */
import { Agent, request } from 'node:http';
import type { Duplex } from 'node:stream';
import { abortError, CallError } from './call-error.ts';
import { dial } from './dial.ts';
import type { ForwardPlan } from './forward-request.ts';
import {
  type CallResult,
  headerPairsFromRaw,
  httpReplyFields,
  isOkStatus,
  type ProtocolClient,
  ReplyBuffer,
} from './protocol-client.ts';

/** An agent whose sockets come from `dial` (direct or SOCKS5). */
class DialAgent extends Agent {
  readonly #plan: ForwardPlan;

  constructor(plan: ForwardPlan, keepAlive: boolean) {
    super({ keepAlive, maxSockets: 1, keepAliveMsecs: 30_000 });
    this.#plan = plan;
  }

  override createConnection(
    _options: unknown,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): undefined {
    const { target, socks5, timeoutMs } = this.#plan;
    dial(target, { socks5, signal: AbortSignal.timeout(timeoutMs), timeoutMs }).then(
      (socket) => callback?.(null, socket),
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

/** Creates the HTTP/1.1 client of one forward. */
export function createHttp1Client(plan: ForwardPlan): ProtocolClient {
  const shared = plan.reuseConnection ? new DialAgent(plan, true) : undefined;
  const headers: Record<string, string> = {};
  for (const [k, v] of plan.headers) headers[k] = v;

  return {
    call(signal) {
      const agent = shared ?? new DialAgent(plan, false);
      return new Promise<CallResult>((resolve, reject) => {
        const req = request({
          agent,
          host: plan.target.host,
          port: plan.target.port,
          method: plan.method,
          path: plan.target.path,
          headers,
        });
        const onAbort = () => req.destroy(abortError(signal, plan.timeoutMs));
        if (signal.aborted) onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        let settled = false;
        const finish = () => {
          settled = true;
          signal.removeEventListener('abort', onAbort);
          if (!shared) agent.destroy();
        };
        const fail = (err: Error) => {
          if (settled) return;
          finish();
          reject(err);
        };
        req.on('error', fail);
        req.on('response', (res) => {
          const reply = new ReplyBuffer();
          let lastError: Error | undefined;
          res.on('data', (c: Buffer) => reply.push(c));
          res.on('error', (err) => {
            lastError = err;
          });
          res.on('close', () => {
            if (!res.complete)
              fail(lastError ?? new CallError('ECONNRESET', 'connection closed mid-response'));
          });
          res.on('end', () => {
            if (settled) return;
            finish();
            const status = res.statusCode ?? 0;
            const body = reply.text();
            resolve({
              status,
              ok: isOkStatus(status),
              fields: httpReplyFields(status, headerPairsFromRaw(res.rawHeaders), body),
              body,
            });
          });
        });
        req.end(plan.body);
      });
    },
    close() {
      shared?.destroy();
    },
  };
}
