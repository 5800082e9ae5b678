/**
 * @module reference-impl/ztunnel/proxy/inputs
 * The one explicit inputs object every listener is fed (ztunnel's ProxyInputs), and the per-pod
 * handle that says in which network namespace sockets are opened.
 */
import type net from 'node:net';
import type { Logger } from '../../../core/logger.ts';
import type { Workload } from '../../api/workload.ts';
import type { ZtunnelConfig } from '../config.ts';
import type { HbonePool } from '../hbone/pool.ts';
import type { CertificateManager } from '../identity/certificates.ts';
import type { WorkloadState } from '../state/workload-store.ts';
import type { ConnectionTelemetry } from '../telemetry/connection-telemetry.ts';
import type { ConnectionLimits, ServiceLimits } from './connection-limits.ts';
import type { ConnectionTracker } from './connection-tracker.ts';
import type { EndpointHealth } from './endpoint-health.ts';

/** Shared by all listeners of all pods. */
export interface ProxyInputs {
  config: ZtunnelConfig;
  state: WorkloadState;
  certs: CertificateManager;
  pool: HbonePool;
  telemetry: ConnectionTelemetry;
  tracker: ConnectionTracker;
  health: EndpointHealth;
  /** Per-service limits from the L4 traffic policies (absent: those limits are not enforced). */
  serviceLimits?: ServiceLimits;
  logger: Logger;
}

/** An enrolled pod as the listeners see it. */
export interface PodContext {
  uid: string;
  name: string;
  namespace: string;
  ips: string[];
  serviceAccount: string;
  /** SPIFFE id of the pod's workload. */
  identity: string;
  /** The pod's workload from the store, or one synthesized from the enrolment message. */
  workload(): Workload;
  /** Opens a TCP connection from inside the pod's namespace (marked 0x539). */
  dial(ip: string, port: number): net.Socket;
  /**
   * Like `dial`, but leaving from `source` (a client's address, IP_TRANSPARENT) so the application
   * sees the original source. Absent when the pod's networking cannot do it (then `dial` is used).
   */
  dialFrom?(source: string, ip: string, port: number): net.Socket;
  /** Outbound circuit breaker and rate limit of this pod. */
  limits?: ConnectionLimits;
  /** Destination a captured connection was meant for. */
  originalDestination(socket: net.Socket): { address: string; port: number };
}
