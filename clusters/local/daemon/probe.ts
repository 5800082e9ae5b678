/**
 * @module clusters/local/daemon/probe
 * Readiness probes (httpGet, tcpSocket) run from inside the pod's network namespace, like kubelet
 * probing the pod IP, and a small HTTP/1.1 client over a namespace socket (reused by the harness).
 */
import type net from 'node:net';
import { connectFromNetns, openNetns } from '../../../core/linux/netns.ts';

export interface ProbeSpec {
  httpGet?: { path?: string; port: number | string; host?: string };
  tcpSocket?: { port: number | string; host?: string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
}

/** Opens a TCP connection from inside `netns`; resolves once connected. */
export function dialIn(netns: string, host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const h = openNetns(netns);
    let sock: net.Socket;
    try {
      sock = connectFromNetns(h, { host, port });
    } finally {
      h.close();
    }
    const timer = setTimeout(() => {
      sock.destroy();
      reject(Object.assign(new Error(`connect ${host}:${port} timed out`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      resolve(sock);
    });
    sock.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export interface SimpleHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One HTTP/1.1 request (Connection: close) from inside `netns`. */
export async function httpIn(
  netns: string,
  host: string,
  port: number,
  req: { method?: string; path: string; body?: string; headers?: Record<string, string>; timeoutMs?: number },
): Promise<SimpleHttpResponse> {
  const timeoutMs = req.timeoutMs ?? 5000;
  const sock = await dialIn(netns, host, port, timeoutMs);
  const body = req.body ?? '';
  const headers: Record<string, string> = {
    host: `${host}:${port}`,
    connection: 'close',
    ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
    ...req.headers,
  };
  const head = `${req.method ?? 'GET'} ${req.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(Object.assign(new Error(`HTTP ${host}:${port}${req.path} timed out`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parseHttpResponse(Buffer.concat(chunks)));
      } catch (err) {
        reject(err);
      }
    });
    sock.write(head + body);
  });
}

function dechunk(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  while (i < buf.length) {
    const eol = buf.indexOf('\r\n', i);
    if (eol < 0) break;
    const size = Number.parseInt(buf.subarray(i, eol).toString(), 16);
    if (!(size > 0)) break;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** Parses a complete HTTP/1.1 response (content-length, chunked or read-to-close). */
export function parseHttpResponse(raw: Buffer): SimpleHttpResponse {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) throw Object.assign(new Error('incomplete HTTP response'), { code: 'EPROTO' });
  const [statusLine = '', ...lines] = raw.subarray(0, split).toString('latin1').split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const c = l.indexOf(':');
    if (c > 0) headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
  }
  let body = raw.subarray(split + 4);
  if (headers['transfer-encoding']?.includes('chunked')) body = dechunk(body);
  else if (headers['content-length']) body = body.subarray(0, Number(headers['content-length']));
  return { status, headers, body: body.toString('utf8') };
}

/** Runs one probe against `podIp` from inside `netns`; resolves true when it passed. */
export async function runProbe(
  probe: ProbeSpec,
  netns: string,
  podIp: string,
  namedPorts: Record<string, number>,
): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  const portOf = (p: number | string) => (typeof p === 'number' ? p : (namedPorts[p] ?? Number(p)));
  try {
    if (probe.httpGet) {
      const res = await httpIn(netns, probe.httpGet.host ?? podIp, portOf(probe.httpGet.port), {
        path: probe.httpGet.path ?? '/',
        timeoutMs,
      });
      return res.status >= 200 && res.status < 400;
    }
    if (probe.tcpSocket) {
      const s = await dialIn(netns, probe.tcpSocket.host ?? podIp, portOf(probe.tcpSocket.port), timeoutMs);
      s.destroy();
      return true;
    }
  } catch {
    return false;
  }
  return true;
}
