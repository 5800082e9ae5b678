/**
 * @module reference-impl/ztunnel/proxy/inbound-plaintext
 * Inbound plaintext (15006 in the pod's namespace): TCP that reached the pod without HBONE, e.g.
 * from a pod outside the mesh. It has no peer identity, so PeerAuthentication STRICT (a converted DENY
 * policy) and identity-based ALLOW rules refuse it; the connection is then closed. The application
 * sees the client's address (original source).
 */
import type net from 'node:net';
import { acceptCaptured, pipeTracked } from './accepted.ts';
import { authorize, type ConnectionFacts } from './authorize.ts';
import { connectTcp } from './connect-tcp.ts';
import type { PodContext, ProxyInputs } from './inputs.ts';
import { dialOriginal } from './original-source.ts';
import { resetSocket } from './reset-socket.ts';

/** Handles one captured plaintext connection for `pod`. */
export function handleInboundPlaintext(inputs: ProxyInputs, pod: PodContext, socket: net.Socket): void {
  // Only failures log: the child logger is built then, not for every connection.
  const log = () =>
    inputs.logger.child({ listener: 'inbound-plaintext', pod: `${pod.namespace}/${pod.name}` });
  const dst = acceptCaptured(inputs, pod, socket, 'inbound-plaintext');
  if (!dst) return;
  const src = { ip: (socket.remoteAddress ?? '').replace(/^::ffff:/, ''), port: socket.remotePort ?? 0 };
  const workload = inputs.state.workloadByIp(dst.address) ?? pod.workload();
  const facts: ConnectionFacts = { sourceIp: src.ip, destinationIp: dst.address, destinationPort: dst.port };
  const rec = inputs.telemetry.open({
    reporter: 'destination',
    listener: 'inbound-plaintext',
    source: { ip: src.ip, port: src.port, workload: inputs.state.workloadByIp(src.ip) },
    destination: { ip: dst.address, port: dst.port, workload, identity: pod.identity },
    mtls: false,
  });
  const decision = authorize(inputs.state.policiesFor(workload), facts);
  if (!decision.allowed) {
    log().info('plaintext connection denied', { src, dst, policy: decision.policy, reason: decision.reason });
    rec.close({ result: 'denied', responseFlags: 'DENY' });
    resetSocket(socket);
    return;
  }
  connectTcp(dialOriginal(pod, src.ip), dst.address, dst.port, inputs.config.connectTimeoutMs).then(
    (upstream) => {
      pipeTracked(inputs, pod, workload.uid, facts, socket, upstream, rec, () => socket.destroy());
    },
    (err: Error) => {
      rec.close({ result: 'upstream-failed', responseFlags: 'UF', error: err.message });
      resetSocket(socket);
    },
  );
}
