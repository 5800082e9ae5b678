/**
 * @module clusters/local/pcap
 * Parses classic pcap files (Ethernet, Linux cooked v1/v2 or raw IP; IPv4; TCP) into the TCP segments that carried
 * payload.
 */
import type { CapturedSegment } from '../cluster.ts';

/** Every TCP segment with payload in a classic pcap buffer. */
export function parsePcap(buf: Buffer): CapturedSegment[] {
  if (buf.length < 24) return [];
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linktype = u32(20);
  const out: CapturedSegment[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const sec = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    const pkt = buf.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    let ipOff: number;
    if (linktype === 1) {
      if (pkt.length < 14 || pkt.readUInt16BE(12) !== 0x0800) continue;
      ipOff = 14;
    } else if (linktype === 113) {
      if (pkt.length < 16 || pkt.readUInt16BE(14) !== 0x0800) continue;
      ipOff = 16;
    } else if (linktype === 276) {
      if (pkt.length < 20 || pkt.readUInt16BE(0) !== 0x0800) continue;
      ipOff = 20;
    } else if (linktype === 101) ipOff = 0;
    else continue;
    if (pkt.length < ipOff + 20 || pkt[ipOff]! >> 4 !== 4 || pkt[ipOff + 9] !== 6) continue;
    const ihl = (pkt[ipOff]! & 0xf) * 4;
    const totalLen = pkt.readUInt16BE(ipOff + 2);
    const tcp = ipOff + ihl;
    if (pkt.length < tcp + 20) continue;
    const dataOff = (pkt[tcp + 12]! >> 4) * 4;
    const end = Math.min(pkt.length, ipOff + totalLen);
    const payload = pkt.subarray(tcp + dataOff, end);
    if (payload.length === 0) continue;
    const ip = (o: number) => `${pkt[o]}.${pkt[o + 1]}.${pkt[o + 2]}.${pkt[o + 3]}`;
    out.push({
      timeMs: sec * 1000 + (nano ? frac / 1e6 : frac / 1e3),
      src: ip(ipOff + 12),
      dst: ip(ipOff + 16),
      srcPort: pkt.readUInt16BE(tcp),
      dstPort: pkt.readUInt16BE(tcp + 2),
      payload: Buffer.from(payload),
    });
  }
  return out;
}
