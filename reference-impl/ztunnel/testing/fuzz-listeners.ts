/**
 * @module reference-impl/ztunnel/testing/fuzz-listeners
 * The listener fuzz runs, shared by `fuzz.test.ts` (small default count) and `fuzz-run.ts` (the full
 * 100,000 inputs per listener): 15008 HBONE (raw TCP/TLS, HTTP/2 frames after mTLS, CONNECT header
 * sets), 15080 SOCKS5 (parser and listener), 15053 DNS (UDP datagrams, TCP messages), 15001 outbound
 * and 15006 inbound plaintext (connection behaviours, real proxied traffic). In-process on loopback:
 * every dial goes through `loopbackOnlyDial`, the service VIP 198.18.255.10 is never dialled (it
 * resolves to the loopback workload). Each run returns its outcome classes and the problems found:
 * an input left unanswered, a connection left open, a proxied connection left tracked.
 */
import dgram from 'node:dgram';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import dnsPacket from 'dns-packet';
import { silentLogger } from '../../../core/logger.ts';
import { type Service, serviceKey } from '../../api/workload.ts';
import { defaultConfig } from '../config.ts';
import { createHbonePool } from '../hbone/pool.ts';
import { createCertificateManager } from '../identity/certificates.ts';
import type { TestCa } from '../identity/test-ca.ts';
import { tlsContextOptions } from '../identity/tls-options.ts';
import { createPodDns } from '../pod/pod-dns.ts';
import { handleInboundPlaintext } from '../proxy/inbound-plaintext.ts';
import type { PodContext, ProxyInputs } from '../proxy/inputs.ts';
import { handleOutbound } from '../proxy/outbound.ts';
import { handleSocks5, parseSocks5 } from '../proxy/socks5.ts';
import { createWorkloadStore, type WorkloadStore } from '../state/workload-store.ts';
import { type startEcho, type startInbound, startLoopbackServer, workload } from './fixtures.ts';
import { loopbackOnlyDial, outcomes, pool, rawInput, settle } from './fuzz-drive.ts';
import { createRng, mutate } from './fuzz-input.ts';

/** What one listener's run produced. */
export interface FuzzReport {
  listener: string;
  inputs: number;
  ms: number;
  outcomes: Record<string, number>;
  /** Defects found: empty when every input was answered or closed and nothing was left open. */
  problems: string[];
}

/** The server side every run shares: CA, echo server, inbound HBONE server, a service VIP. */
export interface FuzzLab {
  ca: TestCa;
  store: WorkloadStore;
  echo: Awaited<ReturnType<typeof startEcho>>;
  inbound: Awaited<ReturnType<typeof startInbound>>;
  /** Mesh VIP of service `echo.server-ns` (port 80 → the echo port on the loopback workload). */
  vip: string;
  /** Sessions open on the inbound HBONE server, and sockets the client pools dialled still open (for
   * describing a connection left open). */
  serverSessions: Set<http2.ServerHttp2Session>;
  clientSockets: Set<net.Socket>;
  close(): Promise<void>;
}

export const CLIENT_ID = 'spiffe://cluster.local/ns/client-ns/sa/client';
const VIP = '198.18.255.10';

/** Starts the lab: workload `server-ns/server` at 127.0.0.1 backing service `echo.server-ns` on VIP:80. */
export async function startFuzzLab(): Promise<FuzzLab> {
  const store = createWorkloadStore();
  // Short keepalive so a session the server's HTTP/2 stack stopped reading is found within the 15 s
  // the leak check waits (ztunnel's default probes after 10 s and waits 20 s more).
  const { ca, echo, inbound } = await startLoopbackServer(store, {
    ...defaultConfig,
    hbone: { ...defaultConfig.hbone, keepaliveIntervalMs: 2000, keepaliveTimeoutMs: 3000 },
  });
  const service: Service = {
    name: 'echo',
    namespace: 'server-ns',
    hostname: 'echo.server-ns.svc.cluster.local',
    addresses: [{ network: '', address: VIP }],
    ports: [{ servicePort: 80, targetPort: echo.port }],
    subjectAltNames: [],
  };
  store.upsertService(service);
  store.upsertWorkload(
    workload({
      uid: 'server',
      addresses: ['127.0.0.1'],
      namespace: 'server-ns',
      serviceAccount: 'server',
      services: { [serviceKey(service)]: [{ servicePort: 80, targetPort: echo.port }] },
    }),
  );
  const lab: FuzzLab = {
    ca,
    store,
    echo,
    inbound,
    vip: VIP,
    serverSessions: new Set(),
    clientSockets: new Set(),
    async close() {
      await inbound.close();
      await echo.close();
    },
  };
  inbound.server.server.on('session', (s) => {
    lab.serverSessions.add(s);
    s.on('close', () => lab.serverSessions.delete(s));
  });
  return lab;
}

/** Client-side inputs: a pool that dials loopback only, HBONE sent to the lab's inbound port. */
function clientInputs(lab: FuzzLab): ProxyInputs {
  const certs = createCertificateManager({ fetchCertificate: (id) => lab.ca.issue(id) }, silentLogger);
  const config = lab.inbound.inputs.config;
  return {
    ...lab.inbound.inputs,
    config: { ...config, ports: { ...config.ports, hbone: lab.inbound.port } },
    pool: createHbonePool({
      maxStreamsPerConnection: config.hbone.clientMaxStreamsPerConnection,
      idleTimeoutMs: 60_000,
      streamWindowBytes: config.hbone.streamWindowBytes,
      connectionWindowBytes: config.hbone.connectionWindowBytes,
      dial: (ip, port) => {
        const s = loopbackOnlyDial(ip, port);
        lab.clientSockets.add(s);
        s.on('close', () => lab.clientSockets.delete(s));
        return s;
      },
      certificate: (id) => certs.get(id),
      logger: silentLogger,
    }),
  };
}

/** A loopback listener running `handle` that knows which accepted sockets are still open. */
async function trackedListener(handle: (s: net.Socket) => void) {
  const open = new Set<net.Socket>();
  const server = net.createServer((s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
    handle(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    open,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * Problems every run checks once its inputs are done: accepted sockets not closed, proxied
 * connections still tracked on the inbound side, and (after the client pool is closed, which ends
 * its HBONE connections) connections left on the HBONE server.
 */
async function leftOpen(lab: FuzzLab, open?: Set<net.Socket>, client?: ProxyInputs): Promise<string[]> {
  const problems: string[] = [];
  const tracked = () => lab.inbound.inputs.tracker.size();
  await settle(() => (open?.size ?? 0) === 0 && tracked() === 0, 10_000);
  if (open?.size) {
    const destroyed = [...open].filter((s) => s.destroyed).length;
    problems.push(`${open.size} accepted socket(s) never closed (${destroyed} destroyed without 'close')`);
  }
  if (tracked())
    problems.push(`${tracked()} proxied connection(s) still tracked while their clients are gone`);
  client?.pool.close();
  const serverConnections = () =>
    new Promise<number>((r) => lab.inbound.server.server.getConnections((_e, n) => r(n)));
  await settle(async () => (await serverConnections()) === 0 && tracked() === 0, 15_000);
  const n = await serverConnections();
  if (n) problems.push(`${n} connection(s) left open on the HBONE server: ${describeLeft(lab)}`);
  if (tracked()) problems.push(`${tracked()} proxied connection(s) still tracked after the clients closed`);
  return problems;
}

/** What the sessions left on the HBONE server, and the client sockets still alive, look like. */
function describeLeft(lab: FuzzLab): string {
  const server = [...lab.serverSessions].map((s) => {
    const sock = s.socket as net.Socket | undefined;
    return JSON.stringify({
      peerPort: sock?.remotePort,
      closed: s.closed,
      destroyed: s.destroyed,
      state: s.state,
      socket: sock && {
        destroyed: sock.destroyed,
        readable: sock.readable,
        writable: sock.writable,
        bytesRead: sock.bytesRead,
      },
    });
  });
  const dialled = [...lab.clientSockets].map((s) =>
    JSON.stringify({ localPort: s.localPort, readable: s.readable, writable: s.writable }),
  );
  return `server sessions ${server.join(' ')}; client sockets alive ${dialled.join(' ') || 'none'}`;
}

async function clientHello(): Promise<Buffer> {
  return await new Promise((resolve) => {
    const srv = net.createServer((c) => {
      c.once('data', (d) => {
        resolve(Buffer.from(d));
        c.destroy();
        srv.close();
      });
    });
    srv.listen(0, '127.0.0.1', () => {
      const s = tls.connect({
        host: '127.0.0.1',
        port: (srv.address() as net.AddressInfo).port,
        ALPNProtocols: ['h2'],
        rejectUnauthorized: false,
      });
      s.on('error', () => {});
    });
  });
}

/** 15008: 3% raw TCP/TLS, 0.5% HTTP/2 frames after mTLS, the rest CONNECT streams with generated headers. */
export async function fuzzHbone(lab: FuzzLab, n: number): Promise<FuzzReport> {
  const { inbound, echo, ca } = lab;
  const rng = createRng(1);
  const out = outcomes();
  const t0 = Date.now();
  const hello = await clientHello();
  const rawCount = Math.max(1, Math.floor(n * 0.03));
  await pool(rawCount, 128, async () => {
    const input = rng.next() < 0.7 ? mutate(rng, hello) : rng.bytes(rng.int(512));
    const r = await rawInput(inbound.port, input, { endAfter: true, deadlineMs: 1000 });
    out.add(`raw:${r.end}`);
  });
  const cert = await ca.issue(CLIENT_ID);
  const preface = Buffer.concat([
    Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
    Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
    Buffer.from([0, 0, 8, 1, 5, 0, 0, 0, 1, 0x82, 0x86, 0x84, 0x41, 0x83, 0x8c, 0xf1, 0xe3]),
  ]);
  const h2Count = Math.max(1, Math.floor(n * 0.005));
  await pool(h2Count, 32, async () => {
    await new Promise<void>((resolve) => {
      const s = tls.connect({
        host: '127.0.0.1',
        port: inbound.port,
        ...tlsContextOptions(cert),
        ALPNProtocols: ['h2'],
        checkServerIdentity: () => undefined,
      });
      const t = setTimeout(() => {
        out.add('frames:deadline');
        s.destroy();
      }, 2000);
      s.on('secureConnect', () => {
        s.write(mutate(rng, preface, 2048));
        s.end();
      });
      s.on('data', () => {});
      s.on('error', () => {});
      s.on('close', () => {
        clearTimeout(t);
        out.add('frames:closed');
        resolve();
      });
    });
  });
  const streamCount = Math.max(0, n - rawCount - h2Count);
  const authority = () =>
    rng.pick([
      `127.0.0.1:${echo.port}`,
      '127.0.0.1:1',
      `127.0.0.2:${echo.port}`,
      `127.0.0.1:${rng.int(70000)}`,
      `${rng.int(300)}.${rng.int(300)}.0.1:80`,
      'localhost:80',
      '',
      '[::1]:80',
      `127.0.0.1:${echo.port}:1`,
      rng
        .bytes(rng.int(40))
        .toString('latin1')
        .replace(/[^\x21-\x7e]/g, 'x'),
      'a'.repeat(rng.int(5000)),
    ]);
  const sessions: http2.ClientHttp2Session[] = [];
  const session = () => {
    const live = sessions.filter((s) => !s.closed && !s.destroyed);
    if (live.length >= 8) return rng.pick(live);
    const s = http2.connect(`https://127.0.0.1:${inbound.port}`, {
      ...tlsContextOptions(cert),
      ALPNProtocols: ['h2'],
      checkServerIdentity: () => undefined,
    });
    s.on('error', () => {});
    sessions.push(s);
    return s;
  };
  const late: string[] = [];
  await pool(streamCount, 150, async () => {
    const headers: http2.OutgoingHttpHeaders = {
      ':method': rng.next() < 0.85 ? 'CONNECT' : rng.pick(['GET', 'POST', 'PUT', 'X']),
    };
    headers[':authority'] = authority();
    if (headers[':method'] !== 'CONNECT') headers[':path'] = '/';
    for (let i = 0, k = rng.int(4); i < k; i++)
      headers[`x-f${rng.int(100)}`] = rng.bytes(rng.int(64)).toString('hex');
    if (rng.next() < 0.2) headers.forwarded = `for="${rng.bytes(8).toString('hex')}"`;
    await new Promise<void>((resolve) => {
      let req: http2.ClientHttp2Stream;
      try {
        req = session().request(headers, { endStream: headers[':method'] !== 'CONNECT' });
      } catch {
        out.add('stream:client-refused');
        resolve();
        return;
      }
      let got: string | undefined;
      const t = setTimeout(() => {
        late.push(`${got ?? 'no answer'} for ${String(headers[':authority']).slice(0, 30)}`);
        out.add(`stream:deadline-${got ?? 'none'}`);
        req.close(http2.constants.NGHTTP2_CANCEL);
        resolve();
      }, 15_000);
      req.on('response', (h) => {
        got = String(h[':status']);
        out.add(`stream:${got}`);
        if (h[':status'] === 200) req.end(rng.bytes(rng.int(256)));
        else req.close();
      });
      req.on('data', () => {});
      req.on('error', () => {});
      req.on('close', () => {
        clearTimeout(t);
        if (got === undefined) out.add(`stream:rst-${req.rstCode}`);
        resolve();
      });
    });
  });
  for (const s of sessions) s.destroy();
  const ms = Date.now() - t0;
  const problems = await leftOpen(lab);
  if (late.length)
    problems.push(`${late.length} stream(s) unanswered after 15 s: ${late.slice(0, 5).join('; ')}`);
  return {
    listener: '15008 hbone',
    inputs: rawCount + h2Count + streamCount,
    ms,
    outcomes: out.toJSON(),
    problems,
  };
}

/** The class of a SOCKS5 listener's answer: method refusal, the reply code, or only the greeting. */
function socksAnswer(reply: Buffer): string {
  if (reply.length === 0) return 'silent';
  if (reply[0] === 5 && reply[1] === 0xff) return 'no-method';
  if (reply.length >= 4 && reply[2] === 5) return `reply-${reply[3]}`;
  return reply.length === 2 ? 'greeted' : 'other';
}

/** 15080: `n` mutated handshakes through the parser, then `n` over the listener (real outbound path). */
export async function fuzzSocks5(lab: FuzzLab, n: number): Promise<FuzzReport[]> {
  const rng = createRng(2);
  const name = Buffer.from('echo.server-ns.svc.cluster.local');
  const seeds = [
    Buffer.from([5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1, 0, 80]),
    Buffer.from([5, 1, 0, 5, 1, 0, 1, 198, 18, 255, 10, 0, 80, 0x70, 0x69, 0x6e, 0x67]),
    Buffer.concat([
      Buffer.from([5, 2, 0, 2, 5, 1, 0, 3, 11]),
      Buffer.from('echo.server'),
      Buffer.from([0, 80]),
    ]),
    Buffer.concat([Buffer.from([5, 1, 0, 5, 1, 0, 3, name.length]), name, Buffer.from([0, 80])]),
  ];
  const parsed = outcomes();
  let t0 = Date.now();
  for (let i = 0; i < n; i++) parsed.add(parseSocks5(mutate(rng, rng.pick(seeds), 600)).state);
  const parser: FuzzReport = {
    listener: '15080 socks5 parser',
    inputs: n,
    ms: Date.now() - t0,
    outcomes: parsed.toJSON(),
    problems: [],
  };
  const inputs = clientInputs(lab);
  const pod: PodContext = { ...lab.inbound.pod, ips: ['127.0.0.1'], dial: loopbackOnlyDial };
  const l = await trackedListener((s) => handleSocks5(inputs, pod, s));
  const out = outcomes();
  t0 = Date.now();
  // An incomplete handshake is rightly held open by the listener (10 s): the client gives up after
  // 300 ms. Every other input must be answered (a reply code, or the method refusal) or closed.
  const unanswered: string[] = [];
  await pool(n, 256, async () => {
    const bytes = mutate(rng, rng.pick(seeds), 600);
    const endAfter = rng.next() < 0.5;
    const held = !endAfter && parseSocks5(bytes).state === 'incomplete';
    const r = await rawInput(l.port, bytes, {
      endAfter,
      deadlineMs: held ? 300 : 15_000,
      until: (reply) => socksAnswer(reply).startsWith('reply-') || socksAnswer(reply) === 'no-method',
    });
    out.add(
      held ? `incomplete/${r.end === 'deadline' ? 'held' : r.end}` : `${socksAnswer(r.reply)}/${r.end}`,
    );
    if (!held && r.end === 'deadline') unanswered.push(bytes.subarray(0, 24).toString('hex'));
  });
  const ms = Date.now() - t0;
  const problems = await leftOpen(lab, l.open, inputs);
  await l.close();
  if (out.get('reply-0/answered') === 0) problems.push('no handshake was proxied');
  if (unanswered.length)
    problems.push(
      `${unanswered.length} complete handshake(s) unanswered in 15 s: ${unanswered.slice(0, 3).join(', ')}`,
    );
  return [parser, { listener: '15080 socks5', inputs: n, ms, outcomes: out.toJSON(), problems }];
}

/** 15053: `n` mutated queries as UDP datagrams, and `tcpShare` of them as TCP messages. */
export async function fuzzDns(lab: FuzzLab, n: number, tcpShare = 0.1): Promise<FuzzReport> {
  const rng = createRng(3);
  const dns = createPodDns(
    { state: lab.store, telemetry: lab.inbound.inputs.telemetry, logger: silentLogger },
    { name: 'p', namespace: 'server-ns' },
    { address: '127.0.0.1', port: 0 },
    { tcp: { address: '127.0.0.1', port: 0 }, tcpIdleMs: 1000 },
  );
  const port = await dns.ready;
  const tcpPort = await dns.tcpReady;
  const out = outcomes();
  const client = dgram.createSocket('udp4');
  client.on('message', () => out.add('udp:answered'));
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
  const seed = dnsPacket.encode({
    type: 'query',
    id: 1,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: 'A', name: 'echo.server-ns.svc.cluster.local' }],
  });
  const t0 = Date.now();
  const tcpCount = tcpPort ? Math.floor(n * tcpShare) : 0;
  const udpCount = n - tcpCount;
  for (let i = 0; i < udpCount; i++) {
    client.send(mutate(rng, seed, 512), port, '127.0.0.1');
    if (i % 500 === 0) await new Promise((r) => setImmediate(r));
  }
  out.add('udp:sent', udpCount);
  // TCP: 4 messages per connection (2-byte length prefix; the prefix itself is sometimes mutated).
  const perConnection = 4;
  let tcpSent = 0;
  await pool(Math.ceil(tcpCount / perConnection), 64, async () => {
    const k = Math.min(perConnection, tcpCount - tcpSent);
    tcpSent += k;
    const frames = Array.from({ length: k }, () => {
      const body = mutate(rng, seed, 512);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(rng.next() < 0.9 ? body.length : rng.int(65536));
      return Buffer.concat([len, body]);
    });
    const r = await rawInput(tcpPort!, Buffer.concat(frames), {
      endAfter: rng.next() < 0.7,
      deadlineMs: 2000,
    });
    out.add(`tcp:${r.reply.length ? 'answered' : 'silent'}/${r.end}`);
  });
  out.add('tcp:messages', tcpSent);
  await new Promise((r) => setTimeout(r, 300));
  // Still answering a valid query with the service VIP.
  const answer = await new Promise<dnsPacket.Packet | undefined>((resolve) => {
    const c = dgram.createSocket('udp4');
    const t = setTimeout(() => {
      c.close();
      resolve(undefined);
    }, 2000);
    c.on('message', (m) => {
      clearTimeout(t);
      c.close();
      resolve(dnsPacket.decode(m));
    });
    c.send(
      dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'A', name: 'echo.server-ns' }] }),
      port,
      '127.0.0.1',
    );
  });
  const ms = Date.now() - t0;
  client.close();
  dns.close();
  const problems: string[] = [];
  const vip = (answer?.answers?.[0] as { data?: string } | undefined)?.data;
  if (vip !== lab.vip) problems.push(`a valid query after the run got ${vip ?? 'no answer'}, not ${lab.vip}`);
  if (tcpPort && out.get('tcp:answered/closed') + out.get('tcp:answered/deadline') === 0)
    problems.push('no TCP query was answered');
  return { listener: '15053 dns', inputs: n, ms, outcomes: out.toJSON(), problems };
}

/**
 * 15001 / 15006: `n` connections, each a generated behaviour (reset at once, data then FIN, data then
 * close, bare FIN, an echo round trip) towards a generated original destination (service VIP, the
 * workload, a closed port, and for 15001 an address outside the mesh that the test dial refuses).
 */
export async function fuzzCaptured(
  lab: FuzzLab,
  listener: 'outbound' | 'inbound-plaintext',
  n: number,
): Promise<FuzzReport> {
  const rng = createRng(listener === 'outbound' ? 4 : 5);
  const inputs = clientInputs(lab);
  const targets =
    listener === 'outbound'
      ? [
          { address: lab.vip, port: 80 },
          { address: '127.0.0.1', port: lab.echo.port },
          { address: '127.0.0.1', port: 1 },
          { address: '198.18.255.99', port: 80 },
        ]
      : [
          { address: '127.0.0.1', port: lab.echo.port },
          { address: '127.0.0.1', port: 1 },
        ];
  const pod: PodContext = {
    ...lab.inbound.pod,
    dial: loopbackOnlyDial,
    originalDestination: (s: net.Socket) => targets[(s.remotePort ?? 0) % targets.length]!,
  };
  const l = await trackedListener((s) =>
    listener === 'outbound' ? handleOutbound(inputs, pod, s) : handleInboundPlaintext(inputs, pod, s),
  );
  const out = outcomes();
  const t0 = Date.now();
  await pool(n, 128, async (i) => {
    const behaviour = rng.int(5);
    const payload =
      behaviour === 4 ? Buffer.from(`ping-${i}`) : rng.bytes(rng.int(behaviour === 2 ? 4096 : 2048));
    await new Promise<void>((resolve) => {
      const s = net.connect(l.port, '127.0.0.1');
      let got = 0;
      let end = 'closed';
      const t = setTimeout(
        () => {
          end = 'deadline';
          s.destroy();
        },
        behaviour === 4 ? 10_000 : 3000,
      );
      s.on('connect', () => {
        if (behaviour === 0) s.resetAndDestroy();
        else if (behaviour === 1) s.end(payload);
        else if (behaviour === 2) s.write(payload, () => s.destroy());
        else if (behaviour === 3) s.end();
        else s.write(payload);
      });
      s.on('data', (d: Buffer) => {
        got += d.length;
        if (behaviour === 4 && got >= payload.length) s.end();
      });
      s.on('error', (err: NodeJS.ErrnoException) => {
        if (end === 'closed') end = err.code === 'ECONNRESET' ? 'reset' : `error-${err.code}`;
      });
      s.on('close', () => {
        clearTimeout(t);
        const kind = ['rst', 'data+fin', 'data+close', 'fin', 'echo'][behaviour];
        out.add(`${kind}:${behaviour === 4 && got >= payload.length ? 'echoed' : end}`);
        resolve();
      });
    });
  });
  const ms = Date.now() - t0;
  const problems = await leftOpen(lab, l.open, inputs);
  await l.close();
  if (out.get('echo:echoed') === 0) problems.push('no connection was proxied end to end');
  if (out.get('echo:deadline') > 0)
    problems.push(`${out.get('echo:deadline')} echo round trip(s) not done within 10 s`);
  const port = listener === 'outbound' ? '15001 outbound' : '15006 inbound-plaintext';
  return { listener: port, inputs: n, ms, outcomes: out.toJSON(), problems };
}
