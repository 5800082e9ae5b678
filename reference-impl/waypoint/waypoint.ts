/**
 * @module reference-impl/waypoint/waypoint
 * The waypoint assembled: an HBONE server (ztunnel's, on 15008) whose every CONNECT is answered 200
 * and read as HTTP (HTTP/1.1, or h2c/gRPC when the bytes start with the HTTP/2 preface); each request
 * goes through the shared proxy core with the destination taken from the CONNECT authority (the
 * service `VIP:port`) and the source from the peer certificate and `Forwarded`; upstream requests
 * leave over pooled HBONE to the chosen endpoint's ztunnel (`podIP:targetPort`) as the waypoint's
 * own identity, or plain TCP to endpoints outside the mesh.
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { Registry } from 'prom-client';
import type { Logger } from '../../core/logger.ts';
import type { L4TrafficPolicy } from '../api/l4.ts';
import type { L7Resources } from '../api/l7.ts';
import { parseSpiffeId, spiffeId } from '../api/workload.ts';
import { defaultConfig } from '../ztunnel/config.ts';
import { hboneRequestHeaders } from '../ztunnel/hbone/authority.ts';
import { createHbonePool } from '../ztunnel/hbone/pool.ts';
import { createHboneServer, type HboneConnect } from '../ztunnel/hbone/server.ts';
import { type CertificateSource, createCertificateManager } from '../ztunnel/identity/certificates.ts';
import type { WorkloadState } from '../ztunnel/state/workload-store.ts';
import { createConnectionTelemetry } from '../ztunnel/telemetry/connection-telemetry.ts';
import { serviceL7 } from './l7-engine.ts';
import type { L7Source } from './l7-request.ts';
import { plainDuplex } from './plain-duplex.ts';
import { createProxyCore, type DownstreamContext } from './proxy-core.ts';
import { createRequestTelemetry } from './request-telemetry.ts';
import { createTcpProxy } from './tcp-proxy.ts';
import { createEndpointPicker, createUpstreamClients, type UpstreamTarget } from './upstream.ts';

/** What a waypoint is built from. */
export interface WaypointInputs {
  /** Namespace and service account of the waypoint's pod (its identity). */
  namespace: string;
  serviceAccount: string;
  trustDomain: string;
  /** The waypoint pod's own IP (for `Forwarded` upstream). */
  podIp: string;
  state: WorkloadState;
  l7: L7Resources;
  /** L4 traffic policies by service key (VirtualService `tcp` routes, DestinationRule tcp pool). */
  l4?: ReadonlyMap<string, L4TrafficPolicy>;
  certificates: CertificateSource;
  logger: Logger;
  /** Where the per-request access log goes (default `logger`); main.ts gives an asynchronous one. */
  accessLogger?: Logger;
  registry?: Registry;
  /** Opens a TCP connection (default `net.connect`; the process runs in its pod's namespace). */
  dial?: (ip: string, port: number) => net.Socket;
  clusterId?: string;
}

/** A running waypoint. */
export interface Waypoint {
  readonly identity: string;
  readonly registry: Registry;
  readonly port: number;
  configDump(): Record<string, unknown>;
  close(): Promise<void>;
}

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0');
/** How long a tunnel may stay silent before it is taken for a server-first (TCP) protocol. */
const SNIFF_TIMEOUT_MS = 300;
const TCP_PROTOCOLS = new Set(['tcp', 'tls', 'mongo', 'mysql', 'redis', 'https']);

/** What the first bytes of a tunnel are: HTTP/2 preface, an HTTP/1 request line, or anything else. */
export function sniff(first: Buffer): 'h2' | 'http1' | 'tcp' {
  const n = Math.min(first.length, HTTP2_PREFACE.length);
  if (n > 0 && first.subarray(0, n).equals(HTTP2_PREFACE.subarray(0, n))) return 'h2';
  const head = first.subarray(0, 64).toString('latin1');
  if (
    /^[A-Z]{3,10} \S+ HTTP\/1\.[01]\r?\n/.test(head) ||
    /^[A-Z]{3,10} \/\S*$/.test(head.split('\r')[0] ?? '')
  )
    return 'http1';
  return 'tcp';
}

/** The protocol the destination port declares (`appProtocol`), when it does. */
function protocolOf(state: WorkloadState, target: { ip: string; port: number }): 'http' | 'tcp' | undefined {
  const svc = state.serviceByVip(target.ip);
  const p = svc?.ports.find((x) => x.servicePort === target.port)?.appProtocol?.toLowerCase();
  if (!p) return undefined;
  if (TCP_PROTOCOLS.has(p)) return 'tcp';
  if (p.startsWith('http') || p === 'grpc' || p.startsWith('grpc') || p === 'h2c') return 'http';
  return undefined;
}

/** The `for=` address of a `Forwarded` header. */
export function forwardedFor(v: string | string[] | undefined): { ip: string; port: number } | undefined {
  const m = /for="?\[?([0-9a-fA-F.:]+?)\]?(?::(\d+))?"?(?:;|,|$)/.exec(
    Array.isArray(v) ? (v[0] ?? '') : (v ?? ''),
  );
  return m ? { ip: m[1]!, port: Number(m[2] ?? 0) } : undefined;
}

/** Starts a waypoint listening on `listen` (default 0.0.0.0:15008; an fd bound in another netns). */
export async function startWaypoint(
  inputs: WaypointInputs,
  listen: { host: string; port: number } | { fd: number } = { host: '0.0.0.0', port: 15008 },
): Promise<Waypoint> {
  const { logger, state } = inputs;
  const registry = inputs.registry ?? new Registry();
  const identity = spiffeId(inputs.trustDomain, inputs.namespace, inputs.serviceAccount);
  const certs = createCertificateManager(inputs.certificates, logger.child({ scope: 'certs' }));
  const dial = inputs.dial ?? ((ip: string, port: number) => net.connect({ host: ip, port }));
  const cfg = defaultConfig.hbone;
  const pool = createHbonePool({
    maxStreamsPerConnection: cfg.clientMaxStreamsPerConnection,
    idleTimeoutMs: cfg.poolIdleTimeoutMs,
    streamWindowBytes: cfg.streamWindowBytes,
    connectionWindowBytes: cfg.connectionWindowBytes,
    certificate: (id) => certs.get(id),
    dial,
    logger,
  });
  const upstreamDial = async (t: UpstreamTarget, source?: { ip?: string }): Promise<Duplex> => {
    const w = t.workload;
    if (w.tunnelProtocol !== 'HBONE' && !w.nativeTunnel) {
      const s = dial(t.ip, t.port);
      s.setNoDelay(true);
      await new Promise<void>((resolve, reject) => {
        s.once('connect', resolve);
        s.once('error', reject);
      });
      return s;
    }
    return pool.connect({
      sourceIdentity: identity,
      destinationIdentity: spiffeId(w.trustDomain, w.namespace, w.serviceAccount),
      address: { ip: t.ip, port: defaultConfig.ports.hbone },
      authority: `${t.ip}:${t.port}`,
      headers: hboneRequestHeaders({
        // TCP tunnels carry the original client (the destination ztunnel trusts its waypoint's
        // Forwarded); pooled HTTP connections carry the waypoint itself.
        source: { ip: source?.ip ?? inputs.podIp, port: 0 },
        sourceWorkload: state.workloadByIp(source?.ip ?? inputs.podIp),
        ...(t.service ? { serviceHostname: t.service.hostname } : {}),
      }),
      timeoutMs: defaultConfig.connectTimeoutMs,
    });
  };
  const clients = createUpstreamClients((t) => upstreamDial(t));
  const tcp = createTcpProxy({
    state,
    l4: (key) => inputs.l4?.get(key),
    policies: (key) => inputs.l7.security.get(key)?.authorizationPolicies ?? [],
    dial: upstreamDial,
    logger: logger.child({ scope: 'tcp' }),
  });
  const core = createProxyCore({
    reporter: 'waypoint',
    state,
    l7: (key) => serviceL7(inputs.l7, key),
    picker: createEndpointPicker(state),
    clients,
    telemetry: createRequestTelemetry(
      registry,
      (inputs.accessLogger ?? logger).child({ scope: 'access' }),
      inputs.clusterId,
    ),
    logger,
  });
  const tcpTelemetry = createConnectionTelemetry(registry, logger, inputs.clusterId);

  const serveTunnel = (req: HboneConnect) => {
    const { stream } = req;
    const fwd = forwardedFor(req.headers.forwarded);
    const principal = req.peerIdentity.replace(/^spiffe:\/\//, '');
    const source: L7Source = {
      principal,
      namespace: parseSpiffeId(req.peerIdentity)?.namespace,
      ip: fwd?.ip ?? req.remote.ip,
    };
    const ctx: DownstreamContext = { destination: req.target, source };
    stream.respond({ ':status': 200 });
    const tunnel = plainDuplex(stream);
    const serveHttp = (h2: boolean) => {
      if (h2) {
        const server = http2.createServer({ settings: { enablePush: false } }, (rq, rs) =>
          core.handle(rq, rs, ctx),
        );
        server.on('sessionError', (err) => logger.debug('downstream h2 error', { error: err.message }));
        server.emit('connection', tunnel);
      } else {
        const server = http.createServer({ keepAlive: true }, (rq, rs) => core.handle(rq, rs, ctx));
        server.on('clientError', (err, sock) => {
          logger.debug('downstream http error', { error: err.message });
          sock.destroy();
        });
        server.emit('connection', tunnel);
      }
    };
    const serveTcp = () => {
      const w = fwd ? state.workloadByIp(fwd.ip) : undefined;
      void tcp.handle(tunnel, req.target, { ...source, uid: w?.uid ?? source.principal });
    };
    const declared = protocolOf(state, req.target);
    if (declared === 'tcp') {
      serveTcp();
      return;
    }
    // Sniff: the HTTP/2 preface, an HTTP/1 request line, else TCP; nothing within the window means a
    // server-first protocol (TCP).
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      tunnel.off('readable', onReadable);
      serveTcp();
    }, SNIFF_TIMEOUT_MS);
    const onReadable = () => {
      const chunk = tunnel.read() as Buffer | null;
      if (chunk === null || done) return;
      done = true;
      clearTimeout(timer);
      tunnel.off('readable', onReadable);
      tunnel.unshift(chunk);
      const kind = sniff(chunk);
      if (kind === 'tcp' && declared !== 'http') serveTcp();
      else serveHttp(kind === 'h2');
    };
    tunnel.on('readable', onReadable);
  };

  const first = await certs.get(identity);
  const hbone = createHboneServer({
    certificate: first,
    trustDomain: inputs.trustDomain,
    maxConcurrentStreams: cfg.serverMaxConcurrentStreams,
    streamWindowBytes: cfg.streamWindowBytes,
    connectionWindowBytes: cfg.connectionWindowBytes,
    logger,
    telemetry: tcpTelemetry,
    onConnect: serveTunnel,
  });
  const unsubscribe = certs.onRotate((id, cert) => {
    if (id === identity) hbone.setCertificate(cert);
  });
  await new Promise<void>((resolve, reject) => {
    hbone.server.once('error', reject);
    if ('fd' in listen) hbone.server.listen({ fd: listen.fd }, () => resolve());
    else hbone.server.listen(listen.port, listen.host, () => resolve());
  });
  const addr = hbone.server.address() as net.AddressInfo;
  logger.info('waypoint listening', { identity, port: addr.port });
  return {
    identity,
    registry,
    port: addr.port,
    configDump: () => ({
      ...state.snapshot(),
      identity,
      l7: {
        routeTables: Object.fromEntries(inputs.l7.routeTables),
        trafficPolicies: Object.fromEntries(inputs.l7.trafficPolicies),
        security: Object.fromEntries(inputs.l7.security),
        telemetry: Object.fromEntries(inputs.l7.telemetry),
      },
    }),
    async close() {
      unsubscribe();
      await hbone.close();
      clients.close();
      pool.close();
      certs.close();
    },
  };
}
