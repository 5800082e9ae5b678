/**
 * @module reference-impl/echo/http-handler
 * The echo's HTTP request handler, shared by HTTP/1.1 and HTTP/2 (node:http2's compatibility API has the
 * same request/response shape). Writes Istio's fields: what the server saw, one `Field=value` per line.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Logger } from '../../core/logger.ts';
import { FailFirstCounter, readControls } from './echo-controls.ts';
import { peerIp } from './peer-address.ts';
import { canonicalHeaderKey, type EchoFieldEntry, formatEchoFields } from './response-format.ts';

/** What a data listener reports about the workload. */
export interface EchoIdentity {
  version: string;
  cluster: string;
  hostname: string;
  namespace: string;
}

/** Either flavour of request/response the handler serves. */
export type AnyRequest = IncomingMessage | Http2ServerRequest;
export type AnyResponse = ServerResponse | Http2ServerResponse;

/** Bytes of a request body kept for the `Echo` field; the rest is read and dropped. */
export const MAX_ECHOED_BODY = 64 * 1024;

/** Builds the handler for one listening port. */
export function createHttpHandler(
  identity: EchoIdentity,
  port: () => number,
  logger: Logger,
  counter: FailFirstCounter = new FailFirstCounter(),
): (req: AnyRequest, res: AnyResponse) => void {
  return (req, res) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    req.on('data', (chunk: Buffer) => {
      if (kept < MAX_ECHOED_BODY) {
        chunks.push(chunk);
        kept += chunk.length;
      }
    });
    req.on('error', () => {});
    req.on('end', () => {
      const body = Buffer.concat(chunks).subarray(0, MAX_ECHOED_BODY).toString('utf8');
      respond(req, res, body).catch((err: unknown) => {
        logger.warn('echo response failed', { error: String(err) });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  };

  async function respond(req: AnyRequest, res: AnyResponse, body: string): Promise<void> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const controls = readControls(new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1)));
    let status = controls.status;
    if (controls.failFirst > 0 && counter.shouldFail(path, controls.failFirst)) status = controls.failCode;
    if (controls.delayMs > 0) {
      const gone = await sleepUnlessClosed(controls.delayMs, res);
      if (gone) return;
    }

    const entries: EchoFieldEntry[] = [
      ['StatusCode', String(status)],
      ['ServiceVersion', identity.version],
      ['ServicePort', String(port())],
      ['Host', hostOf(req)],
      ['URL', rawUrl],
    ];
    if (identity.cluster) entries.push(['Cluster', identity.cluster]);
    if (identity.namespace) entries.push(['Namespace', identity.namespace]);
    entries.push(
      ['Method', req.method ?? ''],
      ['Proto', `HTTP/${req.httpVersion}`],
      ['IP', peerIp(req.socket?.remoteAddress)],
      ['Alpn', alpnOf(req)],
    );
    for (const [k, v] of requestHeaders(req)) entries.push(['RequestHeader', [k, v]]);
    entries.push(['Hostname', identity.hostname]);
    if (body)
      for (const line of body.replace(/\r?\n$/, '').split('\n'))
        entries.push(['Echo', line.replace(/\r$/, '')]);

    let text = formatEchoFields(entries);
    for (const e of controls.errors) text += `${e}\n`;
    const headers: Record<string, string> = { 'content-type': 'application/text' };
    for (const [k, v] of controls.responseHeaders) headers[k.toLowerCase()] = v;
    logger.debug('echo request', { method: req.method, url: rawUrl, status, proto: req.httpVersion });
    res.writeHead(status, headers);
    res.end(text);
  }
}

/** Request headers as `[CanonicalKey, value]`, one per value, sorted by key; pseudo and Host excluded. */
export function requestHeaders(req: AnyRequest): [string, string][] {
  const out: [string, string][] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.startsWith(':') || key.toLowerCase() === 'host') continue;
    out.push([canonicalHeaderKey(key), raw[i + 1]!]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function hostOf(req: AnyRequest): string {
  const authority = req.headers[':authority'];
  if (typeof authority === 'string' && authority) return authority;
  return req.headers.host ?? '';
}

function alpnOf(req: AnyRequest): string {
  const socket = req.socket as { alpnProtocol?: string | false } | undefined;
  return typeof socket?.alpnProtocol === 'string' ? socket.alpnProtocol : '';
}

/** Sleeps `ms`; resolves true early if the client went away meanwhile. */
function sleepUnlessClosed(ms: number, res: AnyResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(false);
    }, ms);
    res.once('close', onClose);
  });
}
