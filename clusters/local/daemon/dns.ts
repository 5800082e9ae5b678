/**
 * @module clusters/local/daemon/dns
 * The cluster DNS (coredns' role) at 198.19.0.10:53 (UDP and TCP), served inside every node namespace:
 * `<svc>.<ns>.svc.cluster.local` → ClusterIP (pod IPs when headless), `<a-b-c-d>.<ns>.pod.cluster.local`
 * → that IP. Every other name is NXDOMAIN: the cluster has no way out.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { bindUdpIn, listenTcpIn, openNetns } from '../../../core/linux/netns.ts';
import type { Logger } from '../../../core/logger.ts';
import { DNS_IP } from '../naming.ts';

/** Looks a fully qualified name up: addresses, or undefined for NXDOMAIN. */
export type Resolver = (name: string) => string[] | undefined;

const NXDOMAIN = 3;

/** Builds the answer for one query packet. */
export function answer(query: Buffer, resolve: Resolver): Buffer {
  const q = dnsPacket.decode(query);
  const question = q.questions?.[0];
  const name = (question?.name ?? '').toLowerCase().replace(/\.$/, '');
  const ips = resolve(name);
  const answers =
    ips && question?.type === 'A'
      ? ips.map((ip) => ({ type: 'A' as const, name: question.name, ttl: 5, class: 'IN' as const, data: ip }))
      : [];
  return dnsPacket.encode({
    type: 'response',
    id: q.id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | (ips ? 0 : NXDOMAIN),
    questions: q.questions,
    answers,
  });
}

/** Serves DNS in each of `netns`; returns a closer. */
export function serveDns(netns: readonly string[], resolve: Resolver, logger: Logger): () => void {
  const servers: net.Server[] = [];
  const sockets = netns.map((ns) => {
    const h = openNetns(ns);
    const fd = bindUdpIn(h, DNS_IP, 53);
    const tcpFd = listenTcpIn(h, DNS_IP, 53);
    h.close();
    const tcp = net.createServer((conn) => {
      let buf = Buffer.alloc(0);
      conn.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + msg.length);
          try {
            const out = answer(msg, resolve);
            const len = Buffer.alloc(2);
            len.writeUInt16BE(out.length);
            conn.write(Buffer.concat([len, out]));
          } catch {
            conn.destroy();
          }
        }
      });
      conn.on('error', () => conn.destroy());
    });
    tcp.listen({ fd: tcpFd });
    servers.push(tcp);
    const s = dgram.createSocket('udp4');
    s.on('message', (msg, rinfo) => {
      try {
        s.send(answer(msg, resolve), rinfo.port, rinfo.address);
      } catch (err) {
        logger.debug('bad DNS query', { err: String(err) });
      }
    });
    s.on('error', (err) => logger.warn('DNS socket error', { netns: ns, err: String(err) }));
    s.bind({ fd });
    return s;
  });
  return () => {
    for (const s of sockets) s.close();
    for (const s of servers) s.close();
  };
}
