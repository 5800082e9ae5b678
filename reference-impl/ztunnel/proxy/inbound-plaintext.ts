/**
 * @module reference-impl/ztunnel/proxy/inbound-plaintext
 * Inbound plaintext (15006 in the pod's namespace): TCP that reached the pod without HBONE, e.g.
 * from a pod outside the mesh. It has no peer identity, so PeerAuthentication STRICT (a converted DENY
 * policy) and identity-based ALLOW rules refuse it; the connection is then closed.
 */
import type net from 'node:net';
import { authorize, type ConnectionFacts } from './authorize.ts';
import { connectTcp } from './connect-tcp.ts';
import type { PodContext, ProxyInputs } from './inputs.ts';
import { pipeBoth } from './pipe.ts';

/** Handles one captured plaintext connection for `pod`. */
export function handleInboundPlaintext(inputs: ProxyInputs, pod: PodContext, socket: net.Socket): void {
  // Only failures log: the child logger is built then, not for every connection.
  const log = () =>
    inputs.logger.child({ listener: 'inbound-plaintext', pod: `${pod.namespace}/${pod.name}` });
  socket.on('error', () => {});
  // Proxied bytes are written as they arrive, in pieces; with Nagle the tail of every burst waits for
  // the peer's delayed ACK (~40 ms per round trip).
  socket.setNoDelay(true);
  let dst: { address: string; port: number };
  try {
    dst = pod.originalDestination(socket);
  } catch (err) {
    log().warn('no original destination', { error: String(err) });
    socket.destroy();
    return;
  }
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
    socket.resetAndDestroy();
    return;
  }
  connectTcp((ip, port) => pod.dial(ip, port), dst.address, dst.port, inputs.config.connectTimeoutMs).then(
    (upstream) => {
      let closedBy: string | undefined;
      const untrack = inputs.tracker.add({
        workloadUid: workload.uid,
        podUid: pod.uid,
        facts,
        close: (reason) => {
          closedBy = reason;
          socket.destroy();
          upstream.destroy();
        },
      });
      pipeBoth(socket, upstream, {
        onDone: (r) => {
          untrack();
          rec.addReceived(r.bytesUp);
          rec.addSent(r.bytesDown);
          rec.close(
            closedBy === 'closed-by-policy'
              ? { result: 'closed-by-policy', responseFlags: 'DENY' }
              : { result: 'ok' },
          );
        },
      });
    },
    (err: Error) => {
      rec.close({ result: 'upstream-failed', responseFlags: 'UF', error: err.message });
      socket.resetAndDestroy();
    },
  );
}
