/**
 * @module reference-impl/echo/forward-request
 * Validates a `POST /forward` body once, at the edge, into a `ForwardPlan` the clients trust. Every
 * rejection is an `E_ECHO_REQUEST` error naming the field and the fix (the control server answers 400).
 */
import { MeshbenchError } from '../../core/errors.ts';
import { type Endpoint, parseEndpoint } from './dial.ts';

/** URL schemes the forwarder speaks. */
export type ForwardScheme = 'http' | 'h2c' | 'grpc' | 'tcp' | 'server-first';

/** A parsed target URL; `path` is kept raw (not normalised), as Istio's forwarder keeps it. */
export interface TargetUrl {
  scheme: ForwardScheme;
  host: string;
  port: number;
  /** `host:port` as written (brackets kept for IPv6). */
  authority: string;
  /** Path and query, `/` when absent. */
  path: string;
}

/** A validated forward request. */
export interface ForwardPlan {
  target: TargetUrl;
  count: number;
  method: string;
  headers: [string, string][];
  body: string | undefined;
  timeoutMs: number;
  /** One connection for every call (true) or a fresh one per call (false). */
  reuseConnection: boolean;
  socks5: Endpoint | undefined;
  intervalMs: number;
}

/** Limits of one forward request. */
export const FORWARD_LIMITS = {
  maxCount: 10_000,
  defaultTimeoutMs: 5_000,
  maxTimeoutMs: 120_000,
  maxIntervalMs: 60_000,
  maxBodyBytes: 1024 * 1024,
  /** Calls not started within this budget are reported as `EDEADLINE` outcomes. */
  maxTotalMs: 300_000,
} as const;

const KNOWN_FIELDS = new Set([
  'url',
  'count',
  'method',
  'headers',
  'body',
  'timeoutMs',
  'newConnectionPerRequest',
  'socks5',
  'intervalMs',
]);
const DEFAULT_PORT: Partial<Record<ForwardScheme, number>> = { http: 80, h2c: 80 };
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function bad(field: string, reason: string, hint: string): MeshbenchError {
  return new MeshbenchError('E_ECHO_REQUEST', `forward request: field ${field}: ${reason}`, {
    hint,
    details: { field },
  });
}

/** Parses `scheme://host[:port][/path]`; throws an `E_ECHO_REQUEST` error naming `url`. */
export function parseTargetUrl(raw: string): TargetUrl {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]+\]|[^/?#:]+)(?::(\d{1,5}))?([/?].*)?$/i.exec(raw);
  const hint = 'use http://, h2c://, grpc://, tcp:// or server-first://host:port/path';
  if (!m) throw bad('url', `"${raw}" is not scheme://host:port/path`, hint);
  const scheme = m[1]!.toLowerCase();
  if (!['http', 'h2c', 'grpc', 'tcp', 'server-first'].includes(scheme)) {
    throw bad('url', `scheme "${scheme}" is not supported`, hint);
  }
  const s = scheme as ForwardScheme;
  const port = m[3] === undefined ? DEFAULT_PORT[s] : Number(m[3]);
  if (port === undefined) throw bad('url', `${scheme}:// needs a port`, `e.g. ${scheme}://10.0.0.1:9090`);
  if (port < 1 || port > 65535) throw bad('url', `port ${port} is out of range`, 'use 1..65535');
  const hostPart = m[2]!;
  const host = hostPart.startsWith('[') ? hostPart.slice(1, -1) : hostPart;
  let path = m[4] ?? '/';
  if (path.startsWith('?')) path = `/${path}`;
  return { scheme: s, host, port, authority: `${hostPart}:${port}`, path };
}

function intIn(obj: Record<string, unknown>, field: string, min: number, max: number, dflt: number): number {
  const v = obj[field];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw bad(
      field,
      `${JSON.stringify(v)} is not an integer from ${min} to ${max}`,
      `give ${field} as a number`,
    );
  }
  return v;
}

/** Validates a parsed JSON body into a plan. */
export function parseForwardRequest(json: unknown): ForwardPlan {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw bad('(body)', 'the body is not a JSON object', 'send a CallRequest object: { "url": ... }');
  }
  const obj = json as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!KNOWN_FIELDS.has(key))
      throw bad(key, 'is not a CallRequest field', `known: ${[...KNOWN_FIELDS].join(', ')}`);
  }
  if (typeof obj.url !== 'string' || !obj.url)
    throw bad('url', 'is required and must be a string', 'e.g. http://a:8080/');
  const target = parseTargetUrl(obj.url);
  const count = intIn(obj, 'count', 1, FORWARD_LIMITS.maxCount, 1);
  const timeoutMs = intIn(obj, 'timeoutMs', 1, FORWARD_LIMITS.maxTimeoutMs, FORWARD_LIMITS.defaultTimeoutMs);
  const intervalMs = intIn(obj, 'intervalMs', 0, FORWARD_LIMITS.maxIntervalMs, 0);

  let method = 'GET';
  if (obj.method !== undefined) {
    if (typeof obj.method !== 'string' || !TOKEN.test(obj.method)) {
      throw bad(
        'method',
        `${JSON.stringify(obj.method)} is not an HTTP method token`,
        'e.g. "GET" or "POST"',
      );
    }
    method = obj.method.toUpperCase();
  }

  const headers: [string, string][] = [];
  if (obj.headers !== undefined) {
    if (typeof obj.headers !== 'object' || obj.headers === null || Array.isArray(obj.headers)) {
      throw bad('headers', 'is not an object of strings', 'e.g. { "x-user": "alice" }');
    }
    for (const [k, v] of Object.entries(obj.headers as Record<string, unknown>)) {
      if (!TOKEN.test(k))
        throw bad(`headers.${k}`, 'is not a valid header name', 'use letters, digits and -');
      if (typeof v !== 'string' || /[\r\n\0]/.test(v)) {
        throw bad(
          `headers.${k}`,
          'must be a string without line breaks',
          'give each header one string value',
        );
      }
      headers.push([k, v]);
    }
  }

  let body: string | undefined;
  if (obj.body !== undefined) {
    if (typeof obj.body !== 'string') throw bad('body', 'must be a string', 'send the body as text');
    if (Buffer.byteLength(obj.body) > FORWARD_LIMITS.maxBodyBytes) {
      throw bad('body', `is larger than ${FORWARD_LIMITS.maxBodyBytes} bytes`, 'send a smaller body');
    }
    body = obj.body;
  }

  const ncpr = obj.newConnectionPerRequest;
  if (ncpr !== undefined && typeof ncpr !== 'boolean') {
    throw bad('newConnectionPerRequest', 'must be true or false', 'omit it for the scheme default');
  }
  // Istio's forwarder always opens a new connection per TCP call; an explicit `false` asks for reuse.
  const streamScheme = target.scheme === 'tcp' || target.scheme === 'server-first';
  const reuseConnection = ncpr === undefined ? !streamScheme : !ncpr;

  let socks5: Endpoint | undefined;
  if (obj.socks5 !== undefined) {
    socks5 = typeof obj.socks5 === 'string' ? parseEndpoint(obj.socks5) : undefined;
    if (!socks5)
      throw bad('socks5', `${JSON.stringify(obj.socks5)} is not host:port`, 'e.g. "127.0.0.1:15080"');
  }

  return { target, count, method, headers, body, timeoutMs, reuseConnection, socks5, intervalMs };
}
