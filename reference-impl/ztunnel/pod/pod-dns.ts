/**
 * @module reference-impl/ztunnel/pod/pod-dns
 * DNS proxy (15053 UDP and TCP in the pod's namespace, reached through the DNS capture rules):
 * answers queries for mesh service names (`<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc`, full hostname)
 * itself (A → the service VIP); every other name is forwarded to the pod's upstream resolver
 * (`dns-forward.ts`), and a query no upstream answers in time gets SERVFAIL. Without a forwarder,
 * other names get NXDOMAIN.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { PodContext, ProxyInputs } from '../proxy/inputs.ts';
import { type DnsForwarder, tcpFrame, tcpUnframe } from './dns-forward.ts';

/** A running DNS proxy. */
export interface PodDns {
  close(): void;
}

/** Resolves `name` as seen from a pod in `namespace` to a service VIP. */
export function resolveMeshName(
  inputs: Pick<ProxyInputs, 'state'>,
  namespace: string,
  name: string,
): string | undefined {
  const n = name.replace(/\.$/, '').toLowerCase();
  const candidates = [
    n,
    `${n}.svc.cluster.local`,
    `${n}.cluster.local`,
    `${n}.${namespace}.svc.cluster.local`,
  ];
  for (const c of candidates) {
    const svc = inputs.state.serviceByHostname(c);
    const vip = svc?.addresses[0]?.address;
    if (vip) return vip;
  }
  return undefined;
}

/** What to do with one query: the proxy's own answer, or forward it (a name it does not own). */
export type DnsDecision = { reply: Buffer } | { forward: dnsPacket.DecodedPacket };

const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;

/** A response to `q` with no answers and `rcode`. */
function emptyResponse(q: dnsPacket.DecodedPacket, rcode: number): Buffer {
  return dnsPacket.encode({
    id: q.id,
    type: 'response',
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode,
    questions: q.questions,
    answers: [],
  });
}

/** Decides one query packet; undefined when it cannot be parsed or is not a query. */
export function decideDns(
  inputs: Pick<ProxyInputs, 'state'>,
  namespace: string,
  msg: Buffer,
): DnsDecision | undefined {
  let q: dnsPacket.DecodedPacket;
  try {
    q = dnsPacket.decode(msg);
  } catch {
    return undefined;
  }
  const question = q.questions?.[0];
  if (!question || q.type !== 'query') return undefined;
  const meshVip = resolveMeshName(inputs, namespace, question.name);
  if (meshVip === undefined) return { forward: q };
  // A mesh name gets NOERROR for every type, an answer only for A.
  const vip = question.type === 'A' ? meshVip : undefined;
  return {
    reply: dnsPacket.encode({
      id: q.id,
      type: 'response',
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
      questions: q.questions,
      answers: vip ? [{ name: question.name, type: 'A', class: 'IN', ttl: 30, data: vip }] : [],
    }),
  };
}

/** Answers one DNS query packet without forwarding (names not owned: NXDOMAIN); undefined for junk. */
export function answerDns(
  inputs: Pick<ProxyInputs, 'state'>,
  namespace: string,
  msg: Buffer,
): Buffer | undefined {
  const d = decideDns(inputs, namespace, msg);
  if (!d) return undefined;
  return 'reply' in d ? d.reply : emptyResponse(d.forward, RCODE_NXDOMAIN);
}

/** Answers one query, forwarding names the proxy does not own; undefined for junk. */
export async function resolveDns(
  inputs: Pick<ProxyInputs, 'state'>,
  namespace: string,
  msg: Buffer,
  transport: 'udp' | 'tcp',
  forwarder: DnsForwarder | undefined,
): Promise<Buffer | undefined> {
  const d = decideDns(inputs, namespace, msg);
  if (!d) return undefined;
  if ('reply' in d) return d.reply;
  if (!forwarder) return emptyResponse(d.forward, RCODE_NXDOMAIN);
  return (await forwarder.forward(msg, transport)) ?? emptyResponse(d.forward, RCODE_SERVFAIL);
}

/** Where the proxy listens: a bound fd (UDP) / listening fd (TCP) in the pod, or an address in tests. */
export type DnsListen = number | { address: string; port: number };

export interface PodDnsOptions {
  /** The TCP listener (15053); none when absent. */
  tcp?: DnsListen;
  /** Forwards names the proxy does not own; absent: NXDOMAIN for them. */
  forwarder?: DnsForwarder;
  /** A TCP client idle this long is closed (default 10 s). */
  tcpIdleMs?: number;
}

/** Serves DNS on the bound UDP socket `fd` (or, in tests, on `{ address, port }`), and on TCP. */
export function createPodDns(
  inputs: Pick<ProxyInputs, 'state' | 'telemetry' | 'logger'>,
  pod: Pick<PodContext, 'name' | 'namespace'>,
  fd: DnsListen,
  options: PodDnsOptions = {},
): PodDns & { ready: Promise<number>; tcpReady?: Promise<number> } {
  const socket = dgram.createSocket('udp4');
  let closed = false;
  socket.on('error', (err) => inputs.logger.warn('dns socket error', { pod: pod.name, error: err.message }));
  socket.on('message', (msg, rinfo) => {
    resolveDns(inputs, pod.namespace, msg, 'udp', options.forwarder).then((reply) => {
      if (!reply) {
        inputs.telemetry.rejected('dns', 'bad-query');
        return;
      }
      if (!closed) socket.send(reply, rinfo.port, rinfo.address);
    });
  });
  const ready = new Promise<number>((resolve) =>
    socket.once('listening', () => resolve(socket.address().port)),
  );
  socket.bind(typeof fd === 'number' ? { fd } : fd);

  let tcpServer: net.Server | undefined;
  let tcpReady: Promise<number> | undefined;
  const clients = new Set<net.Socket>();
  if (options.tcp !== undefined) {
    const server = net.createServer((c) => {
      clients.add(c);
      c.on('close', () => clients.delete(c));
      c.on('error', () => {});
      c.setTimeout(options.tcpIdleMs ?? 10_000, () => c.destroy());
      let buf = Buffer.alloc(0);
      c.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const { messages, rest } = tcpUnframe(buf);
        buf = Buffer.from(rest);
        for (const m of messages) {
          resolveDns(inputs, pod.namespace, Buffer.from(m), 'tcp', options.forwarder).then((reply) => {
            if (!reply) {
              inputs.telemetry.rejected('dns', 'bad-query');
              c.destroy();
              return;
            }
            if (!c.destroyed) c.write(tcpFrame(reply));
          });
        }
      });
    });
    server.on('error', (err) => inputs.logger.warn('dns tcp error', { pod: pod.name, error: err.message }));
    tcpReady = new Promise<number>((resolve) =>
      server.once('listening', () => resolve((server.address() as net.AddressInfo).port)),
    );
    if (typeof options.tcp === 'number') server.listen({ fd: options.tcp });
    else server.listen(options.tcp.port, options.tcp.address);
    tcpServer = server;
  }
  return {
    ready,
    tcpReady,
    close: () => {
      closed = true;
      socket.close();
      options.forwarder?.close();
      tcpServer?.close();
      for (const c of clients) c.destroy();
    },
  };
}
