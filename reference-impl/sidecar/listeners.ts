/**
 * @module reference-impl/sidecar/listeners
 * The sidecar's three capture listeners inside its own pod's network namespace: 15001 outbound,
 * 15006 inbound plaintext, 15008 HBONE. Every socket is bound before any serves (a failed bind
 * leaves nothing open). Each listener first offers a connection to the L7 hook (HTTP ports) and
 * otherwise hands it to the ztunnel's L4 handlers, which this module reuses unchanged.
 */
import net from 'node:net';
import { createHboneServer, type HboneConnect, type HboneServer } from '../ztunnel/hbone/server.ts';
import { bindAll, type PortBinder } from '../ztunnel/pod/pod-proxy.ts';
import { acceptCaptured } from '../ztunnel/proxy/accepted.ts';
import { handleInboundConnect } from '../ztunnel/proxy/inbound.ts';
import { handleInboundPlaintext } from '../ztunnel/proxy/inbound-plaintext.ts';
import type { PodContext, ProxyInputs } from '../ztunnel/proxy/inputs.ts';
import { proxyOutbound } from '../ztunnel/proxy/outbound.ts';

/** Where L7 (HTTP) traffic is taken over; each returns true when it took the connection. */
export interface L7Hook {
  /** A captured outbound connection of the app to `dst` (source side: routing, retries, faults). */
  outbound(socket: net.Socket, dst: { ip: string; port: number }): boolean;
  /** An inbound HBONE CONNECT for this pod (destination side: authorization, JWT). */
  inbound(req: HboneConnect): boolean;
}

/** The running listeners. */
export interface SidecarListeners {
  readonly ports: number[];
  close(): Promise<void>;
}

/** Binds and serves the listeners of the sidecar's pod. */
export async function startSidecarListeners(
  inputs: ProxyInputs,
  pod: PodContext,
  bind: PortBinder,
  l7?: () => L7Hook | undefined,
): Promise<SidecarListeners> {
  const { ports } = inputs.config;
  const cert = await inputs.certs.get(pod.identity);
  const wanted = [ports.outbound, ports.inboundPlaintext, ports.hbone];
  const fds = bindAll(
    bind,
    wanted,
    pod,
    'is another proxy (a ztunnel, or an old sidecar) still serving this pod?',
  );
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const outbound = net.createServer((socket) => {
    track(socket);
    const dst = acceptCaptured(inputs, pod, socket, 'outbound');
    if (!dst) return;
    const target = { ip: dst.address, port: dst.port };
    if (l7?.()?.outbound(socket, target)) return;
    proxyOutbound(inputs, pod, socket, target, 'outbound');
  });
  const plaintext = net.createServer((socket) => {
    track(socket);
    handleInboundPlaintext(inputs, pod, socket);
  });
  const hbone: HboneServer = createHboneServer({
    certificate: cert,
    trustDomain: inputs.config.trustDomain,
    maxConcurrentStreams: inputs.config.hbone.serverMaxConcurrentStreams,
    streamWindowBytes: inputs.config.hbone.streamWindowBytes,
    connectionWindowBytes: inputs.config.hbone.connectionWindowBytes,
    logger: inputs.logger.child({ listener: 'hbone', pod: `${pod.namespace}/${pod.name}` }),
    telemetry: inputs.telemetry,
    onConnect: (req) => {
      if (l7?.()?.inbound(req)) return;
      handleInboundConnect(inputs, pod, req);
    },
  });
  const unsubscribe = inputs.certs.onRotate((id, c) => {
    if (id === pod.identity) hbone.setCertificate(c);
  });
  const servers: net.Server[] = [outbound, plaintext, hbone.server];
  for (const [i, server] of servers.entries()) {
    server.on('error', (err) =>
      inputs.logger.warn('listener error', { port: wanted[i], error: err.message }),
    );
    server.listen({ fd: fds.get(wanted[i]!)! });
  }
  return {
    ports: wanted,
    async close() {
      unsubscribe();
      inputs.tracker.closePod(pod.uid);
      await Promise.all([
        new Promise<void>((r) => outbound.close(() => r())),
        new Promise<void>((r) => plaintext.close(() => r())),
        hbone.close(),
        Promise.resolve().then(() => {
          for (const s of sockets) s.destroy();
        }),
      ]);
    },
  };
}
