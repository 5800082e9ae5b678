/**
 * @module reference-impl/ztunnel/proxy/inbound
 * Inbound HBONE (port 15008 in the pod's namespace): a CONNECT whose authority IP is not the IP the
 * connection arrived on → 400; denied by policy → 401; upstream connect failed → 503; else 200 and
 * bytes are copied both ways. The application sees the client's address (original source: the
 * peer's, or `Forwarded: for=` from the destination's waypoint). Live connections are re-checked when
 * policies change.
 */
import http2 from 'node:http2';
import type { HboneConnect } from '../hbone/server.ts';
import { pipeTracked } from './accepted.ts';
import { authorize, type ConnectionFacts } from './authorize.ts';
import { connectTcp } from './connect-tcp.ts';
import type { PodContext, ProxyInputs } from './inputs.ts';
import { dialOriginal, hboneOriginalSource } from './original-source.ts';

/** Handles one validated CONNECT for `pod`. */
export function handleInboundConnect(inputs: ProxyInputs, pod: PodContext, req: HboneConnect): void {
  const { stream, target } = req;
  // Only failures log: the child logger is built then, not for every connection.
  const log = () => inputs.logger.child({ listener: 'inbound', pod: `${pod.namespace}/${pod.name}` });
  const fail = (status: number, reason: string) => {
    inputs.telemetry.rejected('hbone', reason);
    log().warn('hbone connect refused', {
      status,
      reason,
      authority: `${target.ip}:${target.port}`,
      peer: req.peerIdentity,
    });
    if (!stream.destroyed && !stream.headersSent) stream.respond({ ':status': status }, { endStream: true });
  };
  if (target.ip !== req.local.ip || !pod.ips.includes(target.ip)) {
    fail(400, 'ip-mismatch');
    return;
  }
  const workload = inputs.state.workloadByIp(target.ip) ?? pod.workload();
  const facts: ConnectionFacts = {
    sourceIdentity: req.peerIdentity,
    sourceIp: req.remote.ip,
    destinationIp: target.ip,
    destinationPort: target.port,
  };
  // As Istio's ztunnel: from the destination's own waypoint, the source workload is the one of the
  // `Forwarded` client (src.addr stays the connection's peer, the waypoint).
  const source = hboneOriginalSource(inputs.state, workload, req);
  const srcWorkload = inputs.state.workloadByIp(source);
  const record = () =>
    inputs.telemetry.open({
      reporter: 'destination',
      listener: 'inbound',
      source: { ip: req.remote.ip, port: req.remote.port, identity: req.peerIdentity, workload: srcWorkload },
      destination: { ip: target.ip, port: target.port, workload, identity: pod.identity },
      mtls: true,
    });
  const decision = authorize(inputs.state.policiesFor(workload), facts);
  if (!decision.allowed) {
    record().close({ result: 'denied', responseFlags: 'DENY' });
    fail(401, `policy-${decision.reason}`);
    return;
  }
  connectTcp(dialOriginal(pod, source), target.ip, target.port, inputs.config.connectTimeoutMs).then(
    (upstream) => {
      if (stream.destroyed) {
        upstream.destroy();
        return;
      }
      const rec = record();
      stream.respond({ ':status': 200 });
      pipeTracked(inputs, pod, workload.uid, facts, stream, upstream, rec, () =>
        stream.close(http2.constants.NGHTTP2_CANCEL),
      );
    },
    (err: Error) => {
      record().close({ result: 'upstream-failed', responseFlags: 'UF', error: err.message });
      fail(503, 'upstream-connect-failed');
    },
  );
}
