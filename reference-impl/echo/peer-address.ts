/**
 * @module reference-impl/echo/peer-address
 * Normalises peer addresses as Istio's echo prints them: plain IPv4 (no `::ffff:` prefix), bare IPv6.
 */

/** The caller's IP as the server saw it; `''` when unknown. */
export function peerIp(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Splits gRPC's `ip:port` / `[v6]:port` peer string into `{ ip, port }`. */
export function splitHostPort(peer: string): { ip: string; port: number } {
  const m = /^\[(.*)\]:(\d+)$/.exec(peer) ?? /^([^:]*):(\d+)$/.exec(peer);
  if (!m) return { ip: peerIp(peer), port: 0 };
  return { ip: peerIp(m[1]), port: Number(m[2]) };
}
