/**
 * In-process tests of the wire-level pieces: DNS answers, kube-proxy rules, pcap parsing, HTTP parsing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { parsePcap } from '../pcap.ts';
import { answer } from './dns.ts';
import { renderRules } from './kube-proxy.ts';
import { parseHttpResponse } from './probe.ts';

test('DNS: known names answer A records, others NXDOMAIN', () => {
  const resolve = (n: string) => (n === 'web.d.svc.cluster.local' ? ['198.19.1.1'] : undefined);
  const q = (name: string) => dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'A', name }] });
  const ok = dnsPacket.decode(answer(q('web.d.svc.cluster.local'), resolve));
  assert.equal(ok.id, 7);
  assert.deepEqual(
    ok.answers?.map((a) => (a as { data: string }).data),
    ['198.19.1.1'],
  );
  const nx = dnsPacket.decode(answer(q('example.com'), resolve));
  assert.equal((nx.flags ?? 0) & 0xf, 3, 'NXDOMAIN');
});

test('kube-proxy: one chain per service port, random over endpoints, none without endpoints', () => {
  const script = renderRules([
    {
      clusterIP: '198.19.1.1',
      port: 80,
      protocol: 'tcp',
      endpoints: [
        { ip: '198.18.16.2', port: 8080 },
        { ip: '198.18.17.2', port: 8080 },
      ],
    },
    { clusterIP: '198.19.1.2', port: 80, protocol: 'tcp', endpoints: [] },
  ]);
  assert.match(script, /ip daddr 198\.19\.1\.1 tcp dport 80 goto svc0/);
  assert.match(script, /numgen random mod 2/);
  assert.match(script, /dnat to 198\.18\.17\.2:8080/);
  assert.doesNotMatch(script, /198\.19\.1\.2/);
});

test('pcap: Ethernet/IPv4/TCP payloads are extracted', () => {
  const payload = Buffer.from('GET / HTTP/1.1\r\n\r\n');
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 20 + payload.length, 2);
  ip[9] = 6;
  Buffer.from([198, 18, 16, 2]).copy(ip, 12);
  Buffer.from([198, 18, 17, 2]).copy(ip, 16);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(40000, 0);
  tcp.writeUInt16BE(8080, 2);
  tcp[12] = 5 << 4;
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x0800, 12);
  const frame = Buffer.concat([eth, ip, tcp, payload]);
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const rec = Buffer.alloc(16);
  rec.writeUInt32LE(10, 0);
  rec.writeUInt32LE(500, 4);
  rec.writeUInt32LE(frame.length, 8);
  rec.writeUInt32LE(frame.length, 12);
  const segs = parsePcap(Buffer.concat([header, rec, frame]));
  assert.equal(segs.length, 1);
  assert.deepEqual(
    {
      src: segs[0]!.src,
      dst: segs[0]!.dst,
      srcPort: segs[0]!.srcPort,
      dstPort: segs[0]!.dstPort,
      timeMs: segs[0]!.timeMs,
    },
    { src: '198.18.16.2', dst: '198.18.17.2', srcPort: 40000, dstPort: 8080, timeMs: 10000.5 },
  );
  assert.equal(segs[0]!.payload.toString(), payload.toString());
});

test('HTTP responses: content-length and chunked bodies', () => {
  const r = parseHttpResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiXX'));
  assert.deepEqual([r.status, r.body], [200, 'hi']);
  const c = parseHttpResponse(
    Buffer.from('HTTP/1.1 503 No\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n'),
  );
  assert.deepEqual([c.status, c.body], [503, 'abcde']);
});
