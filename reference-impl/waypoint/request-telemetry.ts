/**
 * @module reference-impl/waypoint/request-telemetry
 * Istio's L7 metrics as an L7 proxy reports them (`istio_requests_total`,
 * `istio_request_duration_milliseconds`, `istio_request_bytes`, `istio_response_bytes`, standard
 * labels, `reporter` = `waypoint` for a waypoint) and one access-log line per request (Envoy's text
 * format, as Istio's default `envoy` provider prints it), which Telemetry can switch off.
 * Hot path: the 25 standard labels are built and hashed once per distinct label set (bound metric
 * children cached by a cheap key), not four times per request.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Logger } from '../../core/logger.ts';
import type { Workload } from '../api/workload.ts';
import { spiffeId } from '../api/workload.ts';

const LABELS = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'source_canonical_service',
  'source_canonical_revision',
  'source_principal',
  'source_app',
  'source_version',
  'source_cluster',
  'destination_workload',
  'destination_workload_namespace',
  'destination_canonical_service',
  'destination_canonical_revision',
  'destination_principal',
  'destination_app',
  'destination_version',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'destination_cluster',
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
  'connection_security_policy',
] as const;
type Label = (typeof LABELS)[number];

/** Istio's duration buckets (ms). */
const DURATION_BUCKETS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];
const SIZE_BUCKETS = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000];

/** One finished request. */
export interface RequestRecord {
  reporter: 'waypoint' | 'source' | 'destination';
  method: string;
  path: string;
  authority: string;
  protocol: 'http' | 'grpc';
  httpVersion: string;
  status: number;
  grpcStatus?: string;
  /** Envoy response flags (`-`, `UH`, `UF`, `UO`, `UT`, `URX`, `FI`, `DI`, `RBAC`...). */
  responseFlags: string;
  durationMs: number;
  requestBytes: number;
  responseBytes: number;
  source: { ip?: string; principal?: string; workload?: Workload };
  destination: { workload?: Workload; ip?: string; port?: number };
  service?: { hostname: string; name: string; namespace: string };
  route?: string;
  /** False when Telemetry disabled access logging for this service. */
  accessLog: boolean;
  /** False when Telemetry disabled metrics for this service. */
  metrics: boolean;
}

/** The reporter. */
export interface RequestTelemetry {
  record(r: RequestRecord): void;
}

const identityOf = (w: Workload | undefined) =>
  w ? spiffeId(w.trustDomain, w.namespace, w.serviceAccount) : undefined;

/** Bound children of the four metrics for one label set. */
interface Children {
  requests: { inc(): void };
  duration: { observe(v: number): void };
  reqBytes: { observe(v: number): void };
  resBytes: { observe(v: number): void };
}
/** Distinct label sets kept before the cache is dropped (bounds memory under label churn). */
const MAX_CACHED_LABEL_SETS = 4096;

/** Creates the L7 metrics on `registry`; access-log lines go to `logger`. */
export function createRequestTelemetry(
  registry: Registry,
  logger: Logger,
  clusterId = 'Kubernetes',
): RequestTelemetry {
  const requests = new Counter({
    name: 'istio_requests_total',
    help: 'Requests by the L7 proxy',
    labelNames: LABELS,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'istio_request_duration_milliseconds',
    help: 'Request duration (ms)',
    labelNames: LABELS,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const reqBytes = new Histogram({
    name: 'istio_request_bytes',
    help: 'Request body size',
    labelNames: LABELS,
    buckets: SIZE_BUCKETS,
    registers: [registry],
  });
  const resBytes = new Histogram({
    name: 'istio_response_bytes',
    help: 'Response body size',
    labelNames: LABELS,
    buckets: SIZE_BUCKETS,
    registers: [registry],
  });
  // Workload objects are replaced when xDS updates them: a new object gets a new id, so cached
  // label sets never outlive the facts they were built from.
  const ids = new WeakMap<object, number>();
  let nextId = 1;
  const idOf = (o: object | undefined) => {
    if (!o) return 0;
    let id = ids.get(o);
    if (id === undefined) {
      id = nextId++;
      ids.set(o, id);
    }
    return id;
  };
  const cache = new Map<string, Children>();
  const labelsOf = (r: RequestRecord, sourcePrincipal: string | undefined): Record<Label, string> => {
    const s = r.source.workload;
    const d = r.destination.workload;
    return {
      reporter: r.reporter,
      source_workload: s?.workloadName || s?.name || 'unknown',
      source_workload_namespace: s?.namespace ?? 'unknown',
      source_canonical_service: s?.canonicalName ?? 'unknown',
      source_canonical_revision: s?.canonicalRevision ?? 'latest',
      source_principal: sourcePrincipal ?? 'unknown',
      source_app: s?.canonicalName ?? 'unknown',
      source_version: s?.canonicalRevision ?? 'unknown',
      source_cluster: s?.clusterId ?? clusterId,
      destination_workload: d?.workloadName || d?.name || 'unknown',
      destination_workload_namespace: d?.namespace ?? r.service?.namespace ?? 'unknown',
      destination_canonical_service: d?.canonicalName ?? 'unknown',
      destination_canonical_revision: d?.canonicalRevision ?? 'latest',
      destination_principal: identityOf(d) ?? 'unknown',
      destination_app: d?.canonicalName ?? 'unknown',
      destination_version: d?.canonicalRevision ?? 'unknown',
      destination_service: r.service?.hostname ?? 'unknown',
      destination_service_name: r.service?.name ?? 'unknown',
      destination_service_namespace: r.service?.namespace ?? 'unknown',
      destination_cluster: d?.clusterId ?? clusterId,
      request_protocol: r.protocol,
      response_code: String(r.status),
      grpc_response_status: r.grpcStatus ?? '',
      response_flags: r.responseFlags,
      connection_security_policy: 'mutual_tls',
    };
  };
  const childrenOf = (r: RequestRecord, sourcePrincipal: string | undefined): Children => {
    const svc = r.service;
    const key = `${r.reporter}|${idOf(r.source.workload)}|${sourcePrincipal ?? ''}|${idOf(r.destination.workload)}|${svc ? `${svc.namespace}/${svc.name}/${svc.hostname}` : ''}|${r.protocol}|${r.status}|${r.grpcStatus ?? ''}|${r.responseFlags}`;
    let c = cache.get(key);
    if (!c) {
      if (cache.size >= MAX_CACHED_LABEL_SETS) cache.clear();
      const labels = labelsOf(r, sourcePrincipal);
      c = {
        requests: requests.labels(labels),
        duration: duration.labels(labels),
        reqBytes: reqBytes.labels(labels),
        resBytes: resBytes.labels(labels),
      };
      cache.set(key, c);
    }
    return c;
  };
  return {
    record(r) {
      const sourcePrincipal = r.source.principal
        ? `spiffe://${r.source.principal}`
        : identityOf(r.source.workload);
      if (r.metrics) {
        const c = childrenOf(r, sourcePrincipal);
        c.requests.inc();
        c.duration.observe(r.durationMs);
        c.reqBytes.observe(r.requestBytes);
        c.resBytes.observe(r.responseBytes);
      }
      if (r.accessLog) {
        const upstream = r.destination.ip ? `${r.destination.ip}:${r.destination.port}` : '-';
        // Envoy's default text format, then the same facts as fields.
        logger.info(
          `[${new Date().toISOString()}] "${r.method} ${r.path} ${r.httpVersion}" ${r.status} ${r.responseFlags} ${r.requestBytes} ${r.responseBytes} ${Math.round(r.durationMs)} "${r.authority}" ${upstream} ${r.route ?? '-'}`,
          {
            access_log: true,
            method: r.method,
            path: r.path,
            status: r.status,
            response_flags: r.responseFlags,
            duration_ms: Math.round(r.durationMs),
            authority: r.authority,
            upstream,
            source_principal: sourcePrincipal,
            source_ip: r.source.ip,
          },
        );
      }
    },
  };
}
