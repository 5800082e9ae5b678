/**
 * @module reference-impl/ztunnel/telemetry/connection-telemetry
 * Istio's TCP metrics (istio_tcp_connections_opened_total, _closed_total, istio_tcp_sent_bytes_total,
 * istio_tcp_received_bytes_total, standard labels) and one JSON access-log line per connection.
 * Every proxied connection opens a record here and closes it with its byte counts and result.
 */
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../../../core/logger.ts';
import type { Workload } from '../../api/workload.ts';
import { spiffeId } from '../../api/workload.ts';

const LABELS = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'source_canonical_service',
  'source_canonical_revision',
  'source_principal',
  'source_cluster',
  'destination_workload',
  'destination_workload_namespace',
  'destination_canonical_service',
  'destination_canonical_revision',
  'destination_principal',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'destination_cluster',
  'request_protocol',
  'response_flags',
  'connection_security_policy',
] as const;
type Label = (typeof LABELS)[number];

/** One side of a connection as telemetry sees it. */
export interface Peer {
  ip: string;
  port: number;
  workload?: Workload;
  identity?: string;
}

/** A connection being reported. */
export interface ConnectionInfo {
  reporter: 'source' | 'destination';
  source: Peer;
  destination: Peer;
  /** `namespace/hostname` or hostname of the service addressed, when one was. */
  service?: { hostname: string; name: string; namespace: string };
  mtls: boolean;
  /** Which listener: outbound, inbound, inbound-plaintext, socks5. */
  listener: string;
}

/** Closing result; `responseFlags` uses Envoy's vocabulary (`-`, `DENY`/`UAEX`, `UF`, `UO`). */
export interface ConnectionResult {
  result: 'ok' | 'denied' | 'upstream-failed' | 'error' | 'closed-by-policy' | 'bad-request' | 'overflow';
  responseFlags?: string;
  error?: string;
}

/** Handle of an open connection. `close` is idempotent. */
export interface ConnectionRecord {
  addSent(n: number): void;
  addReceived(n: number): void;
  close(result: ConnectionResult): void;
}

/** Creates the metrics on `registry` and returns the reporter. */
export interface ConnectionTelemetry {
  open(info: ConnectionInfo): ConnectionRecord;
  /** Counts a rejected HBONE / listener input (bad TLS, bad request) by reason. */
  rejected(listener: string, reason: string): void;
}

/** Creates the Istio TCP metrics on `registry` and an access logger on `logger`. */
export function createConnectionTelemetry(
  registry: Registry,
  logger: Logger,
  clusterId = 'Kubernetes',
): ConnectionTelemetry {
  const mk = (name: string, help: string) =>
    new Counter({ name, help, labelNames: LABELS as unknown as Label[], registers: [registry] });
  const opened = mk('istio_tcp_connections_opened_total', 'TCP connections opened');
  const closed = mk('istio_tcp_connections_closed_total', 'TCP connections closed');
  const sent = mk('istio_tcp_sent_bytes_total', 'Bytes sent during response (destination to source)');
  const received = mk(
    'istio_tcp_received_bytes_total',
    'Bytes received during request (source to destination)',
  );
  const rejectedTotal = new Counter({
    name: 'ztunnel_rejected_connections_total',
    help: 'Inputs rejected by a ztunnel listener, by reason',
    labelNames: ['listener', 'reason'],
    registers: [registry],
  });
  const access = logger.child({ scope: 'access' });

  const principal = (p: Peer) =>
    p.identity ??
    (p.workload
      ? spiffeId(p.workload.trustDomain, p.workload.namespace, p.workload.serviceAccount)
      : undefined);

  return {
    rejected(listener, reason) {
      rejectedTotal.inc({ listener, reason });
    },
    open(info) {
      const srcId = info.mtls || info.reporter === 'source' ? principal(info.source) : undefined;
      const dstId = principal(info.destination);
      const base: Record<Label, string> = {
        reporter: info.reporter,
        source_workload: info.source.workload?.workloadName || info.source.workload?.name || 'unknown',
        source_workload_namespace: info.source.workload?.namespace ?? 'unknown',
        source_canonical_service: info.source.workload?.canonicalName || 'unknown',
        source_canonical_revision: info.source.workload?.canonicalRevision || 'unknown',
        source_principal: srcId ?? 'unknown',
        source_cluster: info.source.workload?.clusterId || clusterId,
        destination_workload:
          info.destination.workload?.workloadName || info.destination.workload?.name || 'unknown',
        destination_workload_namespace: info.destination.workload?.namespace ?? 'unknown',
        destination_canonical_service: info.destination.workload?.canonicalName || 'unknown',
        destination_canonical_revision: info.destination.workload?.canonicalRevision || 'unknown',
        destination_principal: dstId ?? 'unknown',
        destination_service: info.service?.hostname ?? 'unknown',
        destination_service_name: info.service?.name ?? 'unknown',
        destination_service_namespace: info.service?.namespace ?? 'unknown',
        destination_cluster: info.destination.workload?.clusterId || clusterId,
        request_protocol: 'tcp',
        response_flags: '-',
        connection_security_policy: info.mtls ? 'mutual_tls' : 'unknown',
      };
      const start = Date.now();
      let up = 0;
      let down = 0;
      let done = false;
      opened.inc(base);
      return {
        addReceived(n) {
          up += n;
        },
        addSent(n) {
          down += n;
        },
        close(r) {
          if (done) return;
          done = true;
          const labels = { ...base, response_flags: r.responseFlags ?? '-' };
          closed.inc(labels);
          if (up) received.inc(labels, up);
          if (down) sent.inc(labels, down);
          access.info('connection complete', {
            listener: info.listener,
            reporter: info.reporter,
            src: {
              addr: `${info.source.ip}:${info.source.port}`,
              workload: base.source_workload,
              identity: srcId,
            },
            dst: {
              addr: `${info.destination.ip}:${info.destination.port}`,
              workload: base.destination_workload,
              identity: dstId,
              service: info.service?.hostname,
            },
            mtls: info.mtls,
            bytes_sent: down,
            bytes_recv: up,
            duration_ms: Date.now() - start,
            result: r.result,
            response_flags: labels.response_flags,
            error: r.error,
          });
        },
      };
    },
  };
}
