/**
 * @module reference-impl/sidecar/config
 * The sidecar's settings: the ztunnel's typed configuration (same ports, mark, HBONE pool limits and
 * timeouts, Istio's values) with the node-proxy-only features off (DNS proxy, SOCKS5).
 */
import { defaultConfig, type ZtunnelConfig } from '../ztunnel/config.ts';

/** Istio's defaults for a sidecar on `node`. */
export function sidecarConfig(overrides: Partial<ZtunnelConfig> = {}): ZtunnelConfig {
  return { ...defaultConfig, enableDnsProxy: false, enableSocks5: false, ...overrides };
}
