/**
 * @module reference-impl/sidecar/capture
 * The sidecar's in-pod capture (istio-init's role): the node agent's redirect rules, reused as they
 * are (outbound → 15001, inbound → 15006, 15008 left for HBONE, mark 0x539 exempt), plus one exemption
 * Istio gets from running the proxy as uid 1337: the proxy's own control-plane connection (xDS and
 * CA, gRPC sockets Node.js cannot mark) leaves uncaptured, as `excludeOutboundIPRanges` would do.
 */
import {
  defaultRedirectOptions,
  installRedirect,
  type NetnsExec,
  nsenterExec,
} from '../node-agent/redirect-rules.ts';

/** Installs the pod's capture rules, exempting TCP to the control plane `ip:port`. */
export function installSidecarCapture(
  netnsPath: string,
  controlPlane: { ip: string; port: number },
  exec: NetnsExec = nsenterExec,
): void {
  installRedirect(netnsPath, { ...defaultRedirectOptions, dnsCapture: false }, exec);
  const { ip, port } = controlPlane;
  exec(netnsPath, [
    'iptables',
    '-w',
    '5',
    '-t',
    'nat',
    '-I',
    'ISTIO_OUTPUT',
    '1',
    '-d',
    `${ip}/32`,
    '-p',
    'tcp',
    '--dport',
    String(port),
    '-j',
    'ACCEPT',
  ]);
}
