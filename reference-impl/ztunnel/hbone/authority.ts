/**
 * @module reference-impl/ztunnel/hbone/authority
 * Parsing of the HBONE `:authority` (`ip:port`) and the request headers a client sends
 * (`Forwarded`, `baggage`, `traceparent`).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Workload } from '../../api/workload.ts';

/** `ip:port` with a valid IPv4 and port, else undefined. */
export function parseAuthority(authority: string | undefined): { ip: string; port: number } | undefined {
  if (!authority) return undefined;
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(authority);
  if (!m || !net.isIPv4(m[1]!)) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { ip: m[1]!, port };
}

/** Headers of an HBONE CONNECT (besides the pseudo-headers). */
export function hboneRequestHeaders(options: {
  source: { ip: string; port: number };
  sourceWorkload?: Workload;
  serviceHostname?: string;
}): Record<string, string> {
  const w = options.sourceWorkload;
  const forwarded = `for="${options.source.ip}:${options.source.port}"${
    options.serviceHostname ? `;host=${options.serviceHostname}` : ''
  }`;
  const baggage = w
    ? [
        `k8s.cluster.name=${w.clusterId}`,
        `k8s.namespace.name=${w.namespace}`,
        `k8s.${w.workloadType.toLowerCase()}.name=${w.workloadName || w.name}`,
        `service.name=${w.canonicalName || w.name}`,
        `service.version=${w.canonicalRevision || 'latest'}`,
      ].join(',')
    : '';
  const headers: Record<string, string> = {
    forwarded,
    traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
  };
  if (baggage) headers.baggage = baggage;
  return headers;
}
