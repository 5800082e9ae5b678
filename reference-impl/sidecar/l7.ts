/**
 * @module reference-impl/sidecar/l7
 * HTTP through the waypoint's L7 engine (reference-impl/waypoint/proxy-core.ts), at both ends as
 * Istio's sidecars split it. Source side (outbound to a service VIP): client-side routing —
 * VirtualService/HTTPRoute route and backend choice, retries, timeouts, fault injection, header
 * edits, mirrors — then HBONE to the chosen endpoint as the pod's own identity (plain TCP to an
 * endpoint outside the mesh); reporter="source". Destination side (inbound HBONE for one of this
 * pod's service ports): L4 authorization first, then JWT (RequestAuthentication) and L7
 * AuthorizationPolicy, then the local app; reporter="destination". Ports declared TCP by
 * `appProtocol`, and connections whose first bytes are not HTTP, stay L4.
 */

import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Registry } from 'prom-client';
import type { L7Resources } from '../api/l7.ts';
import { parseSpiffeId, type Service, serviceKey, spiffeId, type Workload } from '../api/workload.ts';
import { serviceL7 } from '../waypoint/l7-engine.ts';
import type { L7Source } from '../waypoint/l7-request.ts';
import { plainDuplex } from '../waypoint/plain-duplex.ts';
import { createProxyCore, type DownstreamContext } from '../waypoint/proxy-core.ts';
import { createRequestTelemetry } from '../waypoint/request-telemetry.ts';
import { createEndpointPicker, createUpstreamClients, type UpstreamTarget } from '../waypoint/upstream.ts';
import { forwardedFor } from '../waypoint/waypoint.ts';
import { hboneRequestHeaders } from '../ztunnel/hbone/authority.ts';
import type { HboneConnect } from '../ztunnel/hbone/server.ts';
import type { L7Hook } from '../ztunnel/pod/pod-proxy.ts';
import { pipeTracked } from '../ztunnel/proxy/accepted.ts';
import { authorize, type ConnectionFacts } from '../ztunnel/proxy/authorize.ts';
import { connectTcp } from '../ztunnel/proxy/connect-tcp.ts';
import type { PodContext, ProxyInputs } from '../ztunnel/proxy/inputs.ts';
import { proxyOutbound } from '../ztunnel/proxy/outbound.ts';
import { declaredProtocol, type Sniffed, sniff } from './sniff.ts';

/** What the sidecar's L7 path is built from. */
export interface SidecarL7Options {
  inputs: ProxyInputs;
  pod: PodContext;
  resources: L7Resources;
  registry: Registry;
  /** How long to wait for a client's first bytes before treating the connection as TCP. */
  sniffTimeoutMs?: number;
}

/** The hook plus its cleanup. */
export interface SidecarL7 extends L7Hook {
  close(): void;
}

const principalOf = (id: string) => id.replace(/^spiffe:\/\//, '');
const isHbone = (w: Workload) => w.tunnelProtocol === 'HBONE' || w.nativeTunnel === true;

/** Creates the L7 hook of one sidecar. */
export function createSidecarL7(o: SidecarL7Options): SidecarL7 {
  const { inputs, pod, resources } = o;
  const { state, config, logger } = inputs;
  const sniffMs = o.sniffTimeoutMs ?? 200;
  const podIp = pod.ips[0] ?? '';
  const telemetry = createRequestTelemetry(o.registry, logger.child({ scope: 'access' }), config.clusterId);

  // Source side: upstream over HBONE (or plain TCP) from the pod's namespace, as the pod's identity.
  const dialOut = async (t: UpstreamTarget): Promise<Duplex> => {
    if (!isHbone(t.workload)) return connectTcp(pod.dial, t.ip, t.port, config.connectTimeoutMs);
    return inputs.pool.connect({
      sourceIdentity: pod.identity,
      destinationIdentity: spiffeId(t.workload.trustDomain, t.workload.namespace, t.workload.serviceAccount),
      address: { ip: t.ip, port: config.ports.hbone },
      authority: `${t.ip}:${t.port}`,
      headers: hboneRequestHeaders({
        source: { ip: podIp, port: 0 },
        sourceWorkload: pod.workload(),
        ...(t.service ? { serviceHostname: t.service.hostname } : {}),
      }),
      timeoutMs: config.connectTimeoutMs,
    });
  };
  const outClients = createUpstreamClients(dialOut);
  const outbound = createProxyCore({
    reporter: 'source',
    state,
    // Authorization and JWT belong to the destination's sidecar.
    l7: (key) => ({ ...serviceL7(resources, key), security: undefined }),
    picker: createEndpointPicker(state),
    clients: outClients,
    telemetry,
    logger,
  });

  // Destination side: the backend is always this pod's app, reached on the pod IP from inside.
  const self = () => pod.workload();
  const picker = createEndpointPicker(state);
  const selfPicker = {
    service: (key: string) => picker.service(key),
    pick: (service: Service, port: number): UpstreamTarget => {
      const w = self();
      const key = serviceKey(service);
      const target =
        w.services[key]?.find((p) => p.servicePort === port)?.targetPort ||
        service.ports.find((p) => p.servicePort === port)?.targetPort ||
        port;
      return { workload: w, ip: podIp, port: target, service };
    },
  };
  /**
   * The destination-side core of one tunnel: its first upstream connection is `app`, the one opened
   * before the tunnel was answered (so a refused app port answers 503, as at L4); later ones are new.
   */
  const inboundCore = (app: net.Socket, stream: Duplex) => {
    let first: net.Socket | undefined = app;
    const clients = createUpstreamClients(async (t) => {
      const s = first;
      first = undefined;
      if (s && !s.destroyed && t.ip === podIp && t.port === s.remotePort) return s;
      s?.destroy();
      return connectTcp(pod.dial, t.ip, t.port, config.connectTimeoutMs);
    });
    stream.once('close', () => {
      first?.destroy();
      clients.close();
    });
    return createProxyCore({
      reporter: 'destination',
      state,
      l7: (key) => ({ security: resources.security.get(key), telemetry: resources.telemetry.get(key) }),
      picker: selfPicker,
      clients,
      telemetry,
      logger,
    });
  };

  /** Serves one sniffed HTTP connection through `core` (a server per connection, as the waypoint does). */
  const serve = (
    core: typeof outbound,
    kind: Exclude<Sniffed, 'tcp'>,
    stream: Duplex,
    ctx: DownstreamContext,
  ) => {
    if (kind === 'h2') {
      const server = http2.createServer({ settings: { enablePush: false } }, (rq, rs) =>
        core.handle(rq, rs, ctx),
      );
      server.on('sessionError', (err) => logger.debug('downstream h2 error', { error: err.message }));
      server.emit('connection', stream);
      return;
    }
    const server = http.createServer({ keepAlive: true }, (rq, rs) => core.handle(rq, rs, ctx));
    if (!(stream instanceof net.Socket)) stream = plainDuplex(stream); // Buffer-only writes: see waypoint/plain-duplex.ts
    server.on('clientError', (err: Error & { code?: string; rawPacket?: Buffer }, sock) => {
      logger.warn('downstream http error', {
        error: err.message,
        code: err.code,
        raw: err.rawPacket?.subarray(0, 200).toString('latin1'),
      });
      sock.destroy();
    });
    // A TCP socket handed to the HTTP/1 server would be parsed straight from its handle, skipping
    // the sniffed bytes put back into the stream: keep it on the stream path.
    if (stream instanceof net.Socket) {
      const handle = (stream as unknown as { _handle?: { _consumed?: boolean } })._handle;
      if (handle) handle._consumed = true;
    }
    server.emit('connection', stream);
  };

  /** The service whose port `port` this pod serves (destination side), with that port's protocol. */
  const ownService = (
    port: number,
  ): { service: Service; servicePort: number; proto?: string } | undefined => {
    const w = self();
    for (const [key, ports] of Object.entries(w.services)) {
      const p = ports.find((x) => x.targetPort === port);
      const service = p && state.serviceByKey(key);
      if (p && service) {
        const declared = service.ports.find((x) => x.servicePort === p.servicePort)?.appProtocol;
        return { service, servicePort: p.servicePort, proto: p.appProtocol ?? declared };
      }
    }
    return undefined;
  };

  const inboundRecord = (req: HboneConnect, workload: Workload) =>
    inputs.telemetry.open({
      reporter: 'destination',
      listener: 'inbound',
      source: {
        ip: req.remote.ip,
        port: req.remote.port,
        identity: req.peerIdentity,
        workload: state.workloadByIp(req.remote.ip),
      },
      destination: { ip: req.target.ip, port: req.target.port, workload, identity: pod.identity },
      mtls: true,
    });

  return {
    outbound(socket: net.Socket, dst) {
      const service = state.serviceByVip(dst.ip);
      if (!service) return false;
      const declared = declaredProtocol(service.ports.find((p) => p.servicePort === dst.port)?.appProtocol);
      if (declared === 'tcp') return false;
      const source: L7Source = { principal: principalOf(pod.identity), namespace: pod.namespace, ip: podIp };
      void sniff(socket, sniffMs).then((kind) => {
        if (socket.destroyed) return;
        if (kind === 'tcp') proxyOutbound(inputs, pod, socket, dst, 'outbound');
        else serve(outbound, kind, socket, { destination: dst, source });
      });
      return true;
    },
    inbound(req: HboneConnect) {
      const { stream, target } = req;
      if (target.ip !== req.local.ip || !pod.ips.includes(target.ip)) return false;
      const own = ownService(target.port);
      if (!own || declaredProtocol(own.proto) === 'tcp') return false;
      const workload = self();
      const fwd = forwardedFor(req.headers.forwarded);
      const facts: ConnectionFacts = {
        sourceIdentity: req.peerIdentity,
        sourceIp: req.remote.ip,
        destinationIp: target.ip,
        destinationPort: target.port,
      };
      // Policies the L7 engine enforces in full (their L4 form drops or widens the L7 parts) are
      // left to it; everything else, e.g. PeerAuthentication STRICT, is checked here first.
      const l7Names = new Set(
        resources.security.get(serviceKey(own.service))?.authorizationPolicies.map((p) => p.name) ?? [],
      );
      const l4Policies = state.policiesFor(workload).filter((p) => !l7Names.has(`${p.namespace}/${p.name}`));
      const l4 = authorize(l4Policies, facts);
      if (!l4.allowed) return false; // the L4 handler answers 401 and records it
      // Bytes that turn out not to be HTTP meet every policy in its L4 form.
      const tcpAllowed = authorize(state.policiesFor(workload), facts).allowed;
      // As at L4: 200 only once the app accepted the connection, else 503.
      connectTcp(pod.dial, target.ip, target.port, config.connectTimeoutMs).then(
        (app) => {
          if (stream.destroyed) {
            app.destroy();
            return;
          }
          stream.respond({ ':status': 200 });
          void sniff(stream, sniffMs).then((kind) => serveTunnel(kind, app));
        },
        (err: Error) => {
          inboundRecord(req, workload).close({
            result: 'upstream-failed',
            responseFlags: 'UF',
            error: err.message,
          });
          inputs.telemetry.rejected('hbone', 'upstream-connect-failed');
          if (!stream.destroyed && !stream.headersSent)
            stream.respond({ ':status': 503 }, { endStream: true });
        },
      );
      const serveTunnel = (kind: Sniffed, app: net.Socket) => {
        if (stream.destroyed) {
          app.destroy();
          return;
        }
        if (kind === 'tcp' && !tcpAllowed) {
          inboundRecord(req, workload).close({ result: 'denied', responseFlags: 'DENY' });
          app.destroy();
          stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
          return;
        }
        if (kind === 'tcp') {
          pipeTracked(inputs, pod, workload.uid, facts, stream, app, inboundRecord(req, workload), () =>
            stream.close(http2.constants.NGHTTP2_CANCEL),
          );
          return;
        }
        const address = own.service.addresses[0]?.address;
        const source: L7Source = {
          principal: principalOf(req.peerIdentity),
          namespace: parseSpiffeId(req.peerIdentity)?.namespace,
          ip: fwd?.ip ?? req.remote.ip,
        };
        serve(inboundCore(app, stream), kind, stream, {
          destination: address ? { ip: address, port: own.servicePort } : target,
          source,
        });
      };
      return true;
    },
    close() {
      outClients.close();
    },
  };
}
