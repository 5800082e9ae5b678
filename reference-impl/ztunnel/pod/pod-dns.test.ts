/**
 * DNS proxy answers: service names in their short and long forms, NXDOMAIN otherwise without a
 * forwarder, junk ignored; forwarding to a loopback upstream over UDP and TCP, SERVFAIL when it is down.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { silentLogger } from '../../../core/logger.ts';
import { createWorkloadStore } from '../state/workload-store.ts';
import { allowedUpstream, createDnsForwarder, podUpstreams, tcpFrame, tcpUnframe } from './dns-forward.ts';
import { answerDns, createPodDns } from './pod-dns.ts';

const store = createWorkloadStore();
store.upsertService({
  name: 'echo',
  namespace: 'demo',
  hostname: 'echo.demo.svc.cluster.local',
  addresses: [{ network: '', address: '198.19.0.10' }],
  ports: [{ servicePort: 80, targetPort: 8080 }],
  subjectAltNames: [],
});
const ask = (name: string, type: 'A' | 'AAAA' = 'A') => {
  const out = answerDns(
    { state: store },
    'demo',
    dnsPacket.encode({ type: 'query', id: 9, questions: [{ type, name }] }),
  );
  return out && (dnsPacket.decode(out) as dnsPacket.DecodedPacket & { rcode?: string });
};

for (const name of ['echo', 'echo.demo', 'echo.demo.svc', 'echo.demo.svc.cluster.local']) {
  test(`DNS: ${name} resolves to the VIP`, () => {
    const r = ask(name);
    assert.equal((r?.answers?.[0] as { data?: string } | undefined)?.data, '198.19.0.10');
    assert.equal(r?.id, 9);
  });
}

test('DNS: unknown names get NXDOMAIN, AAAA for a known name gets no answer, junk gets no reply', () => {
  assert.equal(ask('nope.example.com')?.rcode, 'NXDOMAIN');
  const aaaa = ask('echo', 'AAAA');
  assert.equal(aaaa?.rcode, 'NOERROR');
  assert.equal(aaaa?.answers?.length, 0);
  assert.equal(answerDns({ state: store }, 'demo', Buffer.from('garbage')), undefined);
});

// Forwarding: a fake cluster DNS on loopback (UDP and TCP on one port) that owns `*.pod.cluster.local`.
const POD_NAME = '198-18-0-7.demo.pod.cluster.local';
async function fakeUpstream(): Promise<{ port: number; queries: string[]; close(): void }> {
  const queries: string[] = [];
  const reply = (msg: Buffer, via: string) => {
    const q = dnsPacket.decode(msg);
    queries.push(`${via} ${q.questions?.[0]?.name}`);
    const known = q.questions?.[0]?.name === POD_NAME;
    return dnsPacket.encode({
      id: q.id,
      type: 'response',
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (known ? 0 : 3),
      questions: q.questions,
      answers: known ? [{ name: POD_NAME, type: 'A', class: 'IN', ttl: 5, data: '198.18.0.7' }] : [],
    });
  };
  // One port for UDP and TCP: take a free UDP port, retry while its TCP twin is in use.
  for (let attempt = 0; ; attempt++) {
    const udp = dgram.createSocket('udp4');
    udp.on('message', (m, r) => udp.send(reply(m, 'udp'), r.port, r.address));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    const port = udp.address().port;
    const tcp = net.createServer((c) => {
      let buf = Buffer.alloc(0);
      c.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const { messages, rest } = tcpUnframe(buf);
        buf = Buffer.from(rest);
        for (const m of messages) c.write(tcpFrame(reply(Buffer.from(m), 'tcp')));
      });
    });
    const listening = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!listening) {
      udp.close();
      if (attempt < 20) continue;
      throw new Error('no port free for both UDP and TCP on 127.0.0.1');
    }
    return {
      port,
      queries,
      close: () => {
        udp.close();
        tcp.close();
      },
    };
  }
}

const loopbackForwarder = (port: number, timeoutMs = 2000) =>
  createDnsForwarder({
    upstreams: ['127.0.0.1'],
    port,
    timeoutMs,
    udp: () => dgram.createSocket('udp4'),
    dialTcp: (ip, p) => net.connect(p, ip),
  });

const inputs = {
  state: store,
  telemetry: { rejected: () => {} },
  logger: silentLogger,
} as unknown as Parameters<typeof createPodDns>[0];

async function queryUdp(port: number, name: string): Promise<dnsPacket.DecodedPacket & { rcode?: string }> {
  const c = dgram.createSocket('udp4');
  const got = new Promise<Buffer>((resolve) => c.once('message', resolve));
  c.send(dnsPacket.encode({ type: 'query', id: 77, questions: [{ type: 'A', name }] }), port, '127.0.0.1');
  const m = await got;
  c.close();
  return dnsPacket.decode(m) as dnsPacket.DecodedPacket & { rcode?: string };
}

async function queryTcp(port: number, name: string): Promise<dnsPacket.DecodedPacket & { rcode?: string }> {
  const c = net.connect(port, '127.0.0.1');
  c.write(tcpFrame(dnsPacket.encode({ type: 'query', id: 78, questions: [{ type: 'A', name }] })));
  let buf = Buffer.alloc(0);
  const m = await new Promise<Buffer>((resolve, reject) => {
    c.on('error', reject);
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const first = tcpUnframe(buf).messages[0];
      if (first) resolve(Buffer.from(first));
    });
  });
  c.destroy();
  return dnsPacket.decode(m) as dnsPacket.DecodedPacket & { rcode?: string };
}

const answerIp = (r: dnsPacket.DecodedPacket) => (r.answers?.[0] as { data?: string } | undefined)?.data;

test('DNS: a cluster name the proxy does not own is forwarded upstream (UDP and TCP); mesh names are not', async () => {
  const up = await fakeUpstream();
  const dns = createPodDns(
    inputs,
    { name: 'p', namespace: 'demo' },
    { address: '127.0.0.1', port: 0 },
    {
      tcp: { address: '127.0.0.1', port: 0 },
      forwarder: loopbackForwarder(up.port),
    },
  );
  try {
    const udpPort = await dns.ready;
    const tcpPort = await dns.tcpReady!;
    const viaUdp = await queryUdp(udpPort, POD_NAME);
    assert.equal(answerIp(viaUdp), '198.18.0.7');
    assert.equal(viaUdp.id, 77);
    const viaTcp = await queryTcp(tcpPort, POD_NAME);
    assert.equal(answerIp(viaTcp), '198.18.0.7');
    assert.equal(viaTcp.id, 78);
    // The mesh name is answered over TCP by the proxy itself, never asked upstream.
    assert.equal(answerIp(await queryTcp(tcpPort, 'echo.demo')), '198.19.0.10');
    assert.equal(
      (await queryUdp(udpPort, 'nope.demo.svc.cluster.local')).rcode,
      'NXDOMAIN',
      'upstream NXDOMAIN',
    );
    assert.deepEqual(up.queries, [`udp ${POD_NAME}`, `tcp ${POD_NAME}`, 'udp nope.demo.svc.cluster.local']);
  } finally {
    dns.close();
    up.close();
  }
});

test('DNS: upstream down → SERVFAIL within the deadline (silent UDP upstream, refused TCP), not a hang', async () => {
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
  const port = silent.address().port; // nothing listens on TCP there: refused
  const dns = createPodDns(
    inputs,
    { name: 'p', namespace: 'demo' },
    { address: '127.0.0.1', port: 0 },
    {
      tcp: { address: '127.0.0.1', port: 0 },
      forwarder: loopbackForwarder(port, 300),
    },
  );
  try {
    const t0 = Date.now();
    assert.equal((await queryUdp(await dns.ready, POD_NAME)).rcode, 'SERVFAIL');
    assert.equal((await queryTcp(await dns.tcpReady!, POD_NAME)).rcode, 'SERVFAIL');
    assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  } finally {
    dns.close();
    silent.close();
  }
});

test('DNS upstreams: only 198.18.0.0/15 and loopback, from the pod resolv.conf first', () => {
  assert.equal(allowedUpstream('198.19.0.10'), true);
  assert.equal(allowedUpstream('127.0.0.53'), true);
  for (const ip of ['8.8.8.8', '10.96.0.10', '198.20.0.1', 'not-an-ip'])
    assert.equal(allowedUpstream(ip), false, ip);
  const files: Record<string, string> = {
    '/etc/netns/mbt-pod/resolv.conf':
      'search demo.svc.cluster.local\nnameserver 8.8.8.8\nnameserver 198.19.0.10\n',
    '/etc/resolv.conf': 'nameserver 127.0.0.53\n',
  };
  const read = (p: string) => {
    const t = files[p];
    if (t === undefined) throw new Error('ENOENT');
    return t;
  };
  assert.deepEqual(podUpstreams('/run/netns/mbt-pod', read), ['198.19.0.10']);
  assert.deepEqual(podUpstreams('/run/netns/other', read), ['127.0.0.53']);
  const forwarder = createDnsForwarder({
    upstreams: ['8.8.8.8'],
    udp: () => assert.fail('must not open a socket toward a disallowed upstream'),
    dialTcp: () => assert.fail('must not dial a disallowed upstream'),
  });
  return forwarder.forward(Buffer.alloc(12), 'udp').then((r) => assert.equal(r, undefined));
});

test('DNS forwarder: one upstream socket, concurrent queries with the same client id each get their own answer', async () => {
  const up = await fakeUpstream();
  let sockets = 0;
  const forwarder = createDnsForwarder({
    upstreams: ['127.0.0.1'],
    port: up.port,
    udp: () => {
      sockets += 1;
      return dgram.createSocket('udp4');
    },
    dialTcp: (ip, p) => net.connect(p, ip),
  });
  try {
    const q = (name: string) => dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'A', name }] });
    const [a, b] = await Promise.all([
      forwarder.forward(q(POD_NAME), 'udp'),
      forwarder.forward(q('x.demo'), 'udp'),
    ]);
    const ra = dnsPacket.decode(a!) as dnsPacket.DecodedPacket & { rcode?: string };
    const rb = dnsPacket.decode(b!) as dnsPacket.DecodedPacket & { rcode?: string };
    assert.deepEqual([ra.id, ra.questions?.[0]?.name, answerIp(ra)], [7, POD_NAME, '198.18.0.7']);
    assert.deepEqual([rb.id, rb.questions?.[0]?.name, rb.rcode], [7, 'x.demo', 'NXDOMAIN']);
    assert.equal(sockets, 1);
  } finally {
    forwarder.close();
    up.close();
  }
});
