/**
 * @module reference-impl/ztunnel/pod/dns-forward
 * Forwarding of the DNS queries the proxy does not own to the pod's upstream resolver (ztunnel's
 * DNS proxy forwards to the resolvers of its resolv.conf). The upstreams come from the pod's
 * `/etc/netns/<name>/resolv.conf` (what `ip netns exec` gives the pod's processes), else from the
 * proxy's own `/etc/resolv.conf`; only addresses in 198.18.0.0/15 or loopback are ever used, so a
 * query never leaves for the outside world. A query the upstreams do not answer in time gets
 * undefined (the proxy then answers SERVFAIL), never a hang.
 */

import { randomInt } from 'node:crypto';
import type dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import { basename } from 'node:path';
import ipaddr from 'ipaddr.js';

const ALLOWED: [ipaddr.IPv4, number][] = [
  ipaddr.IPv4.parseCIDR('198.18.0.0/15'),
  ipaddr.IPv4.parseCIDR('127.0.0.0/8'),
];

/** True for an IPv4 address the proxy may forward to (198.18.0.0/15 or loopback). */
export function allowedUpstream(ip: string): boolean {
  if (!ipaddr.IPv4.isValidFourPartDecimal(ip)) return false;
  const addr = ipaddr.IPv4.parse(ip);
  return ALLOWED.some((range) => addr.match(range));
}

/** `nameserver` addresses of a resolv.conf text, in order. */
export function nameserversOf(resolvConf: string): string[] {
  const out: string[] = [];
  for (const line of resolvConf.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

/**
 * The upstream resolvers of the pod whose network namespace is `netnsPath` (`/run/netns/<name>`),
 * restricted to allowed addresses; empty when none is known or allowed.
 */
export function podUpstreams(
  netnsPath: string,
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): string[] {
  for (const file of [`/etc/netns/${basename(netnsPath)}/resolv.conf`, '/etc/resolv.conf']) {
    let text: string;
    try {
      text = read(file);
    } catch {
      continue;
    }
    const servers = nameserversOf(text);
    if (servers.length > 0) return servers.filter(allowedUpstream);
  }
  return [];
}

/** Sends a query to the upstreams. */
export interface DnsForwarder {
  /** The upstream's reply to `query`, or undefined when none answered within the deadline. */
  forward(query: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined>;
  /** Closes the upstream socket; pending queries get undefined. */
  close(): void;
}

export interface DnsForwarderOptions {
  upstreams: string[];
  /** Per upstream; default 2000 ms. */
  timeoutMs?: number;
  port?: number;
  /** A UDP socket (in the pod's namespace, exempt from capture), opened once and kept. */
  udp(): dgram.Socket;
  /** A TCP connection (from the pod's namespace, exempt from capture). */
  dialTcp(ip: string, port: number): net.Socket;
}

/** Frames a DNS message for TCP (RFC 1035 4.2.2: two-byte length prefix). */
export function tcpFrame(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

/** Splits length-prefixed DNS messages off the front of `buf`; returns them and the rest. */
export function tcpUnframe(buf: Buffer): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let off = 0;
  while (buf.length - off >= 2) {
    const len = buf.readUInt16BE(off);
    if (buf.length - off - 2 < len) break;
    messages.push(buf.subarray(off + 2, off + 2 + len));
    off += 2 + len;
  }
  return { messages, rest: buf.subarray(off) };
}

/**
 * UDP to the upstreams over one long-lived socket per forwarder (no socket per query): each query
 * goes out under a fresh random id, unique among the pending ones, and the client's id is put back
 * on the reply, which is accepted only from the upstream it was sent to.
 */
function udpExchange(o: DnsForwarderOptions) {
  let socket: dgram.Socket | undefined;
  const pending = new Map<
    number,
    { upstream: string; clientId: number; done(r: Buffer | undefined): void }
  >();
  const reset = () => {
    const s = socket;
    socket = undefined;
    try {
      s?.close();
    } catch {}
    for (const p of [...pending.values()]) p.done(undefined);
  };
  const open = (): dgram.Socket => {
    if (socket) return socket;
    const s = o.udp();
    s.on('error', reset);
    s.on('message', (msg, rinfo) => {
      if (msg.length < 12) return;
      const p = pending.get(msg.readUInt16BE(0));
      if (!p || rinfo.address !== p.upstream) return;
      const reply = Buffer.from(msg);
      reply.writeUInt16BE(p.clientId, 0);
      p.done(reply);
    });
    socket = s;
    return s;
  };
  return {
    send(upstream: string, query: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
      return new Promise((resolve) => {
        if (pending.size >= 0xffff) {
          resolve(undefined);
          return;
        }
        let id = randomInt(0x10000);
        while (pending.has(id)) id = (id + 1) & 0xffff;
        const entry = {
          upstream,
          clientId: query.readUInt16BE(0),
          done: (r: Buffer | undefined) => {
            clearTimeout(timer);
            if (pending.get(id) === entry) pending.delete(id);
            resolve(r);
          },
        };
        const timer = setTimeout(() => entry.done(undefined), timeoutMs);
        pending.set(id, entry);
        const out = Buffer.from(query);
        out.writeUInt16BE(id, 0);
        try {
          open().send(out, o.port ?? 53, upstream, (err) => {
            if (err) entry.done(undefined);
          });
        } catch {
          entry.done(undefined);
        }
      });
    },
    close: reset,
  };
}

function viaTcp(o: DnsForwarderOptions, upstream: string, query: Buffer, timeoutMs: number) {
  return new Promise<Buffer | undefined>((resolve) => {
    let socket: net.Socket;
    try {
      socket = o.dialTcp(upstream, o.port ?? 53);
    } catch {
      resolve(undefined);
      return;
    }
    let buf = Buffer.alloc(0);
    const done = (reply: Buffer | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
    socket.on('connect', () => socket.write(tcpFrame(query)));
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const { messages } = tcpUnframe(buf);
      if (messages[0]) done(Buffer.from(messages[0]));
    });
  });
}

/** A forwarder trying each upstream in turn over the transport the query came on. */
export function createDnsForwarder(o: DnsForwarderOptions): DnsForwarder {
  const timeoutMs = o.timeoutMs ?? 2000;
  const udp = udpExchange(o);
  return {
    async forward(query, transport) {
      if (query.length < 12) return undefined;
      for (const upstream of o.upstreams) {
        if (!allowedUpstream(upstream)) continue;
        const reply =
          transport === 'tcp'
            ? await viaTcp(o, upstream, query, timeoutMs)
            : await udp.send(upstream, query, timeoutMs);
        if (reply) return reply;
      }
      return undefined;
    },
    close: () => udp.close(),
  };
}
