/**
 * @module reference-impl/ztunnel/pod/pod-proxy
 * The listeners of one enrolled pod, opened inside its network namespace: 15001 outbound,
 * 15006 inbound plaintext, 15008 HBONE (and 15080 SOCKS5 when enabled). All sockets are bound
 * before any serves, so a failure leaves nothing half-open; `close` shuts the listeners and destroys
 * their connections. A proxy built on these listeners (the sidecar) may install an L7 hook that is
 * offered each outbound connection and inbound CONNECT first.
 */
import { closeSync } from 'node:fs';
import net from 'node:net';
import { MeshbenchError } from '../../../core/errors.ts';
import { createHboneServer, type HboneConnect, type HboneServer } from '../hbone/server.ts';
import { acceptCaptured } from '../proxy/accepted.ts';
import { handleInboundConnect } from '../proxy/inbound.ts';
import { handleInboundPlaintext } from '../proxy/inbound-plaintext.ts';
import type { PodContext, ProxyInputs } from '../proxy/inputs.ts';
import { proxyOutbound } from '../proxy/outbound.ts';
import { handleSocks5 } from '../proxy/socks5.ts';

/** Binds a listening TCP socket for `port` (inside the pod's namespace) and returns its fd. */
export type PortBinder = (port: number) => number;

/** Where L7 (HTTP) traffic is taken over; each returns true when it took the connection. */
export interface L7Hook {
  /** A captured outbound connection of the app to `dst` (source side: routing, retries, faults). */
  outbound(socket: net.Socket, dst: { ip: string; port: number }): boolean;
  /** An inbound HBONE CONNECT for this pod (destination side: authorization, JWT). */
  inbound(req: HboneConnect): boolean;
}

/** A running pod proxy. */
export interface PodProxy {
  readonly pod: PodContext;
  /** Ports being served. */
  readonly ports: number[];
  close(): Promise<void>;
}

/**
 * Binds every port in `wanted` inside the pod (port → fd); on any failure closes what was bound and
 * throws `E_HBONE` naming the pod, with `hint`.
 */
export function bindAll(
  bind: PortBinder,
  wanted: readonly number[],
  pod: Pick<PodContext, 'namespace' | 'name'>,
  hint: string,
): Map<number, number> {
  const fds = new Map<number, number>();
  try {
    for (const port of wanted) fds.set(port, bind(port));
  } catch (err) {
    for (const fd of fds.values()) closeSync(fd);
    throw new MeshbenchError('E_HBONE', `cannot bind the listeners of pod ${pod.namespace}/${pod.name}`, {
      cause: err,
      hint,
    });
  }
  return fds;
}

/** Binds and serves `pod`'s listeners. Rejects (with nothing left open) when any bind fails. */
export async function startPodProxy(
  inputs: ProxyInputs,
  pod: PodContext,
  bind: PortBinder,
  l7?: () => L7Hook | undefined,
): Promise<PodProxy> {
  const { ports } = inputs.config;
  const cert = await inputs.certs.get(pod.identity);
  const wanted = [ports.outbound, ports.inboundPlaintext, ports.hbone];
  if (inputs.config.enableSocks5) wanted.push(ports.socks5);
  const fds = bindAll(
    bind,
    wanted,
    pod,
    'is another ztunnel still serving this pod, or is its network namespace gone?',
  );
  const sockets = new Set<net.Socket>();
  const trackSockets = (server: net.Server) =>
    server.on('connection', (s: net.Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
  const plain = (handler: (s: net.Socket) => void) =>
    trackSockets(net.createServer({ pauseOnConnect: false }, handler));
  const servers: net.Server[] = [
    plain((s) => {
      const dst = acceptCaptured(inputs, pod, s, 'outbound');
      if (!dst) return;
      const target = { ip: dst.address, port: dst.port };
      if (l7?.()?.outbound(s, target)) return;
      proxyOutbound(inputs, pod, s, target, 'outbound');
    }),
    plain((s) => handleInboundPlaintext(inputs, pod, s)),
  ];
  const hbone: HboneServer = createHboneServer({
    certificate: cert,
    trustDomain: inputs.config.trustDomain,
    maxConcurrentStreams: inputs.config.hbone.serverMaxConcurrentStreams,
    streamWindowBytes: inputs.config.hbone.streamWindowBytes,
    connectionWindowBytes: inputs.config.hbone.connectionWindowBytes,
    frameSizeBytes: inputs.config.hbone.frameSizeBytes,
    keepalive: {
      intervalMs: inputs.config.hbone.keepaliveIntervalMs,
      timeoutMs: inputs.config.hbone.keepaliveTimeoutMs,
    },
    logger: inputs.logger.child({ listener: 'hbone', pod: `${pod.namespace}/${pod.name}` }),
    telemetry: inputs.telemetry,
    onConnect: (req) => {
      if (l7?.()?.inbound(req)) return;
      handleInboundConnect(inputs, pod, req);
    },
  });
  trackSockets(hbone.server);
  servers.push(hbone.server);
  if (inputs.config.enableSocks5) servers.push(plain((s) => handleSocks5(inputs, pod, s)));
  const unsubscribe = inputs.certs.onRotate((id, c) => {
    if (id === pod.identity) hbone.setCertificate(c);
  });
  for (const [i, server] of servers.entries()) {
    server.on('error', (err) => inputs.logger.warn('listener error', { pod: pod.name, error: err.message }));
    server.listen({ fd: fds.get(wanted[i]!)! });
  }
  return {
    pod,
    ports: wanted,
    async close() {
      unsubscribe();
      inputs.tracker.closePod(pod.uid);
      await Promise.all([
        ...servers.filter((s) => s !== hbone.server).map((s) => new Promise<void>((r) => s.close(() => r()))),
        hbone.close(),
        Promise.resolve().then(() => {
          for (const s of sockets) s.destroy();
        }),
      ]);
    },
  };
}
