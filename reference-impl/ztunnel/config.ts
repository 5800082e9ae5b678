/**
 * @module reference-impl/ztunnel/config
 * ztunnel's typed configuration with Istio's defaults (ports, pool limits, windows, timeouts).
 * Defaults first, then flags; every timeout is a named field with its unit.
 */

/** All ztunnel settings. */
export interface ZtunnelConfig {
  node: string;
  trustDomain: string;
  clusterId: string;
  ports: {
    outbound: number;
    inboundPlaintext: number;
    hbone: number;
    dns: number;
    socks5: number;
    admin: number;
    metrics: number;
    readiness: number;
  };
  /** SO_MARK on every socket ztunnel opens in a pod namespace (Istio's 1337). */
  podMark: number;
  hbone: {
    clientMaxStreamsPerConnection: number;
    serverMaxConcurrentStreams: number;
    poolIdleTimeoutMs: number;
    streamWindowBytes: number;
    connectionWindowBytes: number;
    /** SETTINGS_MAX_FRAME_SIZE each side announces (ztunnel: 1 MiB; HTTP/2's default is 16 KiB). */
    frameSizeBytes: number;
    /** Server PING after this long without input; the session is destroyed if not answered in time. */
    keepaliveIntervalMs: number;
    keepaliveTimeoutMs: number;
  };
  connectTimeoutMs: number;
  /** Extra attempts after a failed upstream connect (to another endpoint when there is one). */
  connectRetries: number;
  /** Per-pod outbound protection (0 = off): circuit breaker and connection-rate limit. */
  limits: { maxConnectionsPerPod: number; connectsPerSecondPerPod: number; burst: number };
  /** Open the DNS proxy (15053) and SOCKS5 (15080) listeners in pods. */
  enableDnsProxy: boolean;
  enableSocks5: boolean;
}

/** Istio's defaults. */
export const defaultConfig: ZtunnelConfig = {
  node: 'node',
  trustDomain: 'cluster.local',
  clusterId: 'Kubernetes',
  ports: {
    outbound: 15001,
    inboundPlaintext: 15006,
    hbone: 15008,
    dns: 15053,
    socks5: 15080,
    admin: 15000,
    metrics: 15020,
    readiness: 15021,
  },
  podMark: 0x539,
  hbone: {
    clientMaxStreamsPerConnection: 100,
    serverMaxConcurrentStreams: 200,
    poolIdleTimeoutMs: 5 * 60_000,
    streamWindowBytes: 4 * 1024 * 1024,
    connectionWindowBytes: 16 * 1024 * 1024,
    frameSizeBytes: 1024 * 1024,
    keepaliveIntervalMs: 10_000,
    keepaliveTimeoutMs: 20_000,
  },
  connectTimeoutMs: 10_000,
  connectRetries: 1,
  limits: { maxConnectionsPerPod: 0, connectsPerSecondPerPod: 0, burst: 0 },
  enableDnsProxy: true,
  enableSocks5: true,
};
