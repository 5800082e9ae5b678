/**
 * @module reference-impl/echo/control-server
 * The forward API on the control port (HTTP/1.1, JSON): `POST /forward` with a CallRequest body answers
 * `{ "outcomes": [...] }`; `GET /healthz` answers 200. A malformed request answers 400 with
 * `{ "error": { "code", "field", "message" } }`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { MeshbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { parseForwardRequest } from './forward-request.ts';
import { runForward } from './forwarder.ts';
import type { ForwardResponse } from './wire-types.ts';

/** Largest accepted `POST /forward` body. */
export const MAX_CONTROL_BODY_BYTES = 2 * 1024 * 1024;

/** The control server, not yet bound. */
export interface ControlServer {
  readonly server: Server;
  close(graceMs: number): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: string, message: string, field?: string): void {
  sendJson(res, status, { error: { code, ...(field ? { field } : {}), message } });
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_CONTROL_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_CONTROL_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function handleForward(req: IncomingMessage, res: ServerResponse, logger: Logger): Promise<void> {
  const raw = await readBody(req);
  if (!raw) {
    sendError(res, 413, 'E_ECHO_REQUEST', `forward request larger than ${MAX_CONTROL_BODY_BYTES} bytes`);
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    sendError(res, 400, 'E_ECHO_REQUEST', `forward request: the body is not JSON: ${(err as Error).message}`);
    return;
  }
  let plan: ReturnType<typeof parseForwardRequest>;
  try {
    plan = parseForwardRequest(json);
  } catch (err) {
    if (err instanceof MeshbenchError) {
      sendError(res, 400, err.code, err.message, err.details.field as string | undefined);
      return;
    }
    throw err;
  }
  const gone = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  const outcomes = await runForward(plan, { signal: gone.signal, logger });
  if (gone.signal.aborted) return;
  const reply: ForwardResponse = { outcomes };
  sendJson(res, 200, reply);
}

/** Creates the control server. */
export function createControlServer(logger: Logger): ControlServer {
  const server = createServer({ keepAliveTimeout: 60_000, headersTimeout: 65_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
      return;
    }
    if (path === '/forward') {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        sendError(res, 405, 'E_ECHO_REQUEST', '/forward takes POST with a JSON CallRequest');
        return;
      }
      handleForward(req, res, logger).catch((err: unknown) => {
        logger.error('forward failed', { error: String(err) });
        if (!res.headersSent) sendError(res, 500, 'E_INTERNAL', String(err));
        else res.destroy();
      });
      return;
    }
    sendError(
      res,
      404,
      'E_ECHO_REQUEST',
      `no route ${req.method} ${path}; use POST /forward or GET /healthz`,
    );
  });
  return {
    server,
    close(graceMs) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
