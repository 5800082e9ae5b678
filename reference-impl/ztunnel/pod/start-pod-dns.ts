/**
 * @module reference-impl/ztunnel/pod/start-pod-dns
 * Opens one pod's DNS proxy: UDP 127.0.0.1:15053 and TCP 15053 bound in the pod's namespace (like
 * ztunnel's DNS proxy on localhost), and a forwarder whose
 * sockets also leave from the pod's namespace (marked, so the DNS capture rules let them through)
 * to the pod's upstream resolvers.
 */

import dgram from 'node:dgram';
import { closeSync } from 'node:fs';
import type net from 'node:net';
import type { PodContext, ProxyInputs } from '../proxy/inputs.ts';
import { createDnsForwarder, podUpstreams } from './dns-forward.ts';
import { createPodDns, type PodDns } from './pod-dns.ts';

/** The socket makers of the pod's namespace the DNS proxy needs. */
export interface PodDnsSockets {
  /** A listening TCP socket's fd. */
  bind(port: number): number;
  /** A bound UDP socket's fd (port 0: ephemeral; `host` default 0.0.0.0). */
  bindUdp(port: number, host?: string): number;
  dial(ip: string, port: number): net.Socket;
}

/** Starts the DNS proxy of `pod` (netns path `netnsPath`) on `port`. Throws when a bind fails. */
export function startPodDns(
  inputs: Pick<ProxyInputs, 'state' | 'telemetry' | 'logger'>,
  pod: Pick<PodContext, 'name' | 'namespace'>,
  netnsPath: string,
  sockets: PodDnsSockets,
  port: number,
): PodDns {
  const upstreams = podUpstreams(netnsPath);
  if (upstreams.length === 0)
    inputs.logger.info('dns proxy has no allowed upstream: names it does not own get SERVFAIL', {
      pod: `${pod.namespace}/${pod.name}`,
    });
  const forwarder = createDnsForwarder({
    upstreams,
    udp: () => {
      const s = dgram.createSocket('udp4');
      s.bind({ fd: sockets.bindUdp(0) });
      return s;
    },
    dialTcp: (ip, p) => sockets.dial(ip, p),
  });
  // 127.0.0.1, where the REDIRECT rule sends UDP 53: a reply must leave from the address the query
  // was redirected to, or conntrack cannot restore the resolver's address and a connected client
  // (glibc) drops it.
  const udpFd = sockets.bindUdp(port, '127.0.0.1');
  let tcpFd: number;
  try {
    tcpFd = sockets.bind(port);
  } catch (err) {
    closeSync(udpFd);
    throw err;
  }
  return createPodDns(inputs, pod, udpFd, { tcp: tcpFd, forwarder });
}
