/**
 * @module clusters/existing/local-http
 * One plain HTTP/1.1 request to `127.0.0.1:port` (the local end of a port-forward), with a
 * deadline, returning status, headers and body as text.
 */
import { request } from 'node:http';
import { MeshbenchError } from '../../core/errors.ts';
import type { HttpResponse } from '../cluster.ts';

export interface LocalHttpRequest {
  port: number;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

/** Sends the request; transport failures and the deadline reject with `E_CALL` / `E_TIMEOUT`. */
export function localHttp(req: LocalHttpRequest): Promise<HttpResponse> {
  const timeoutMs = req.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: '127.0.0.1',
        port: req.port,
        path: req.path,
        method: req.method ?? 'GET',
        agent: false,
        headers: {
          ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}),
          ...req.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    const timer = setTimeout(() => {
      r.destroy(new MeshbenchError('E_TIMEOUT', `no answer from ${req.path} within ${timeoutMs} ms`));
    }, timeoutMs);
    r.on('error', (err) => {
      clearTimeout(timer);
      reject(
        err instanceof MeshbenchError
          ? err
          : new MeshbenchError(
              'E_CALL',
              `request ${req.path} through the port-forward failed: ${err.message}`,
              {
                cause: err,
              },
            ),
      );
    });
    r.end(req.body);
  });
}
