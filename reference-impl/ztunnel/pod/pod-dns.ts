/**
 * @module reference-impl/ztunnel/pod/pod-dns
 * DNS proxy (15053 UDP in the pod's namespace, reached through the DNS capture rule): answers A
 * queries for mesh service names (`<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc`, full hostname) with the
 * service VIP; other names get NXDOMAIN
 * (forwarding to an upstream resolver is not implemented).
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import type { PodContext, ProxyInputs } from '../proxy/inputs.ts';

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

/** Answers one DNS query packet; undefined when it cannot be parsed. */
export function answerDns(
  inputs: Pick<ProxyInputs, 'state'>,
  namespace: string,
  msg: Buffer,
): Buffer | undefined {
  let q: dnsPacket.Packet;
  try {
    q = dnsPacket.decode(msg);
  } catch {
    return undefined;
  }
  const question = q.questions?.[0];
  if (!question || q.type !== 'query') return undefined;
  // A mesh name gets NOERROR for every type, an answer only for A; anything else is NXDOMAIN.
  const meshVip = resolveMeshName(inputs, namespace, question.name);
  const known = meshVip !== undefined;
  const vip = question.type === 'A' ? meshVip : undefined;
  return dnsPacket.encode({
    id: q.id,
    type: 'response',
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (known ? 0 : 3),
    questions: q.questions,
    answers: vip ? [{ name: question.name, type: 'A', class: 'IN', ttl: 30, data: vip }] : [],
  });
}

/** Serves DNS on the bound UDP socket `fd` (or, in tests, on `{ address, port }`). */
export function createPodDns(
  inputs: Pick<ProxyInputs, 'state' | 'telemetry' | 'logger'>,
  pod: Pick<PodContext, 'name' | 'namespace'>,
  fd: number | { address: string; port: number },
): PodDns & { ready: Promise<number> } {
  const socket = dgram.createSocket('udp4');
  socket.on('error', (err) => inputs.logger.warn('dns socket error', { pod: pod.name, error: err.message }));
  socket.on('message', (msg, rinfo) => {
    const reply = answerDns(inputs, pod.namespace, msg);
    if (!reply) {
      inputs.telemetry.rejected('dns', 'bad-query');
      return;
    }
    socket.send(reply, rinfo.port, rinfo.address);
  });
  const ready = new Promise<number>((resolve) =>
    socket.once('listening', () => resolve(socket.address().port)),
  );
  socket.bind(typeof fd === 'number' ? { fd } : fd);
  return { ready, close: () => socket.close() };
}
