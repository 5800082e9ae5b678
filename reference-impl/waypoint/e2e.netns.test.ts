/**
 * @module reference-impl/waypoint/e2e.netns.test
 * Root-only end-to-end test of the waypoint data path in real network namespaces
 * (198.18.242.0/24, names `mbt-zt-*`, removed afterwards), real mTLS, real HBONE: the test plays the
 * source ztunnel (an HBONE client in the client pod's namespace, as the client's identity, authority
 * = service `VIP:port`), the waypoint runs with its sockets in its own pod namespace, and a real
 * ztunnel terminates HBONE in front of an HTTP app in the server pod. Checks: HTTP/1.1 and h2c
 * requests arrive at the app over the waypoint with a trace context, the server ztunnel sees the
 * waypoint's identity, L7 config changes behaviour per request (fault abort, authorization, route
 * header edits), and `istio_requests_total{reporter="waypoint"}` counts them.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import http2 from 'node:http2';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { connectFromNetns, listenTcpIn, type NetnsHandle, openNetns } from '../../core/linux/netns.ts';
import { createLogger, silentLogger } from '../../core/logger.ts';
import type { L7AuthorizationPolicy } from '../api/l7.ts';
import { spiffeId } from '../api/workload.ts';
import { installRedirect } from '../node-agent/redirect-rules.ts';
import { defaultConfig } from '../ztunnel/config.ts';
import { createHbonePool, type HbonePool } from '../ztunnel/hbone/pool.ts';
import { createTestCa, type TestCa } from '../ztunnel/identity/test-ca.ts';
import { createWorkloadStore } from '../ztunnel/state/workload-store.ts';
import { workload } from '../ztunnel/testing/fixtures.ts';
import { createNetnsLab, leftoverNamespaces, type NetnsLab } from '../ztunnel/testing/netns-lab.ts';
import { createZtunnel, type Ztunnel } from '../ztunnel/ztunnel.ts';
import { emptyL7Resources } from './l7-store.ts';
import { plainDuplex } from './plain-duplex.ts';
import { startWaypoint, type Waypoint } from './waypoint.ts';

const isRoot = process.getuid?.() === 0;
const skip = !isRoot && 'needs root (network namespaces)';
const TAG = `w${process.pid % 100000}`;
const CLIENT = '198.18.242.11';
const WP = '198.18.242.12';
const SERVER = '198.18.242.21';
const VIP = '198.18.243.1';
const HOST = 'echo.server-ns.svc.cluster.local';
const SVC_KEY = `server-ns/${HOST}`;
const CLIENT_ID = spiffeId('cluster.local', 'client-ns', 'client');
const WP_ID = spiffeId('cluster.local', 'server-ns', 'waypoint');

/** The app: answers with what it received (JSON), on HTTP/1.1 and h2c (prior knowledge), one port. */
const APP = `
const http=require('http'),http2=require('http2'),net=require('net');
const h=(rq,rs)=>{let b='';rq.on('data',d=>b+=d);rq.on('end',()=>{rs.setHeader('content-type','application/json');
rs.end(JSON.stringify({method:rq.method,url:rq.url,headers:rq.headers,version:rq.httpVersion,peer:rq.socket.remoteAddress}))})};
const h1=http.createServer(h),h2=http2.createServer(h);
const wrap=(c,first)=>{const d=new (require('stream').Duplex)({read(){c.resume()},write(b,e,cb){c.write(b,cb)},final(cb){c.end();cb()}});
d.push(first);c.on('data',x=>{if(!d.push(x))c.pause()});c.on('end',()=>d.push(null));c.on('error',e=>d.destroy(e));d.remoteAddress=c.remoteAddress;return d;};
net.createServer(c=>{c.once('data',d=>{(d.toString('latin1').startsWith('PRI *')?h2:h1).emit('connection',wrap(c,d));})})
.listen(8080,'0.0.0.0',()=>net.createServer(c=>{c.on('error',()=>{});c.write('BANNER from='+c.remoteAddress+'\\n');c.on('data',d=>c.write(d))})
.listen(9090,'0.0.0.0',()=>console.log('up')));`;

let lab: NetnsLab;
let ca: TestCa;
let app: ChildProcess;
let ztunnel: Ztunnel;
let waypoint: Waypoint;
let clientNs: NetnsHandle;
let wpNs: NetnsHandle;
let pool: HbonePool;
const l7 = emptyL7Resources();
const store = createWorkloadStore();
const ztunnelLines: string[] = [];
const accessLines: string[] = [];
const sink = (into: string[]) =>
  new Writable({
    write(chunk, _enc, cb) {
      into.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });

/** An HBONE tunnel from the client pod to the waypoint for the service (what the source ztunnel opens). */
const tunnel = (port = 80) =>
  pool.connect({
    sourceIdentity: CLIENT_ID,
    destinationIdentity: WP_ID,
    address: { ip: WP, port: 15008 },
    authority: `${VIP}:${port}`,
    headers: { forwarded: `for="${CLIENT}:40000"` },
    timeoutMs: 5000,
  });

async function get1(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const stream = await tunnel();
  return new Promise((resolve, reject) => {
    const req = http.request({
      createConnection: () => plainDuplex(stream) as never,
      path,
      headers: { host: HOST, ...headers },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => {
        stream.close();
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function get2(path: string): Promise<{ status: number; body: string }> {
  const stream = await tunnel();
  const session = http2.connect(`http://${HOST}`, { createConnection: () => plainDuplex(stream) as never });
  try {
    return await new Promise((resolve, reject) => {
      const req = session.request({ ':path': path, ':authority': HOST });
      let status = 0;
      let body = '';
      req.on('response', (h) => {
        status = Number(h[':status']);
      });
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => resolve({ status, body }));
      req.on('error', reject);
      req.end();
    });
  } finally {
    session.close();
  }
}

before(async () => {
  if (!isRoot) return;
  lab = createNetnsLab(TAG);
  const ns = { client: lab.addPod('c', CLIENT), wp: lab.addPod('wp', WP), server: lab.addPod('s', SERVER) };
  ca = await createTestCa();
  app = lab.spawnIn(ns.server, [process.execPath, '-e', APP]);
  await new Promise<void>((resolve, reject) => {
    app.stdout!.once('data', () => resolve());
    app.once('exit', (c) => reject(new Error(`app exited ${c}`)));
  });
  store.upsertWorkload(
    workload({ uid: 'client', addresses: [CLIENT], namespace: 'client-ns', serviceAccount: 'client' }),
  );
  store.upsertWorkload(
    workload({
      uid: 'waypoint',
      addresses: [WP],
      namespace: 'server-ns',
      serviceAccount: 'waypoint',
      nativeTunnel: true,
    }),
  );
  store.upsertWorkload(
    workload({
      uid: 'echo',
      name: 'echo',
      addresses: [SERVER],
      namespace: 'server-ns',
      serviceAccount: 'server',
      node: 'node-b',
      services: {
        [SVC_KEY]: [
          { servicePort: 80, targetPort: 8080 },
          { servicePort: 90, targetPort: 9090 },
        ],
      },
    }),
  );
  store.upsertService({
    name: 'echo',
    namespace: 'server-ns',
    hostname: HOST,
    addresses: [{ network: '', address: VIP }],
    ports: [
      { servicePort: 80, targetPort: 8080 },
      { servicePort: 90, targetPort: 9090 },
    ],
    subjectAltNames: [],
    waypoint: { destination: { address: { network: '', address: WP } }, hboneMtlsPort: 15008 },
  });
  const certificates = { fetchCertificate: (id: string) => ca.issue(id) };
  // The destination node's ztunnel: HBONE on 15008 inside the server pod's namespace.
  ztunnel = createZtunnel({
    config: { ...defaultConfig, node: 'node-b', enableDnsProxy: false, enableSocks5: false },
    state: store,
    certificates,
    logger: createLogger({ stream: sink(ztunnelLines) }),
  });
  // What the node agent does at enrolment: capture rules and the original-source routing.
  installRedirect(`/run/netns/${ns.server}`);
  await ztunnel.addPod({
    uid: 'echo',
    name: 'echo',
    namespace: 'server-ns',
    netns: `/run/netns/${ns.server}`,
    ips: [SERVER],
    serviceAccount: 'server',
  });
  wpNs = openNetns(ns.wp);
  waypoint = await startWaypoint(
    {
      namespace: 'server-ns',
      serviceAccount: 'waypoint',
      trustDomain: 'cluster.local',
      podIp: WP,
      state: store,
      l7,
      certificates,
      logger: createLogger({ stream: sink(accessLines) }),
      dial: (ip, port) => connectFromNetns(wpNs, { host: ip, port }),
    },
    { fd: listenTcpIn(wpNs, '0.0.0.0', 15008) },
  );
  clientNs = openNetns(ns.client);
  pool = createHbonePool({
    maxStreamsPerConnection: 100,
    idleTimeoutMs: 60_000,
    streamWindowBytes: 1 << 20,
    connectionWindowBytes: 1 << 22,
    certificate: (id) => ca.issue(id),
    dial: (ip, port) => connectFromNetns(clientNs, { host: ip, port }),
    logger: silentLogger,
  });
});

after(async () => {
  if (!isRoot) return;
  pool?.close();
  await waypoint?.close();
  await ztunnel?.close();
  clientNs?.close();
  wpNs?.close();
  lab?.destroy();
  assert.deepEqual(leftoverNamespaces(TAG), []);
});

test('HTTP/1.1 through the waypoint reaches the app, with a trace context, as the waypoint identity', {
  skip,
}, async () => {
  const r = await get1('/hello?x=1');
  assert.equal(r.status, 200, r.body);
  const seen = JSON.parse(r.body);
  assert.equal(seen.url, '/hello?x=1');
  assert.match(seen.headers.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  assert.equal(seen.headers.host, HOST);
  // The destination ztunnel authenticated the waypoint (not the client) on the HBONE hop.
  const opened = (await ztunnel.registry.metrics())
    .split('\n')
    .filter(
      (l) => l.startsWith('istio_tcp_connections_opened_total{') && l.includes('reporter="destination"'),
    );
  assert.ok(
    opened.some((l) => l.includes(`source_principal="${WP_ID}"`)),
    opened.join('\n'),
  );
  assert.ok(!opened.some((l) => l.includes(`source_principal="${CLIENT_ID}"`)), opened.join('\n'));
});

test('h2c through the waypoint reaches the app over HTTP/2', { skip }, async () => {
  const r = await get2('/h2');
  assert.equal(r.status, 200, r.body);
  assert.equal(JSON.parse(r.body).version, '2.0');
});

test('L7 config takes effect per request: fault abort, route header edits, authorization', {
  skip,
}, async () => {
  l7.routeTables.set(SVC_KEY, {
    service: SVC_KEY,
    source: 'VirtualService',
    routes: [
      {
        name: 'abort',
        matches: [{ path: { prefix: '/abort' } }],
        backends: [],
        fault: { abort: { httpStatus: 418, percentage: 100 } },
      },
      {
        name: 'rest',
        matches: [],
        backends: [{ service: SVC_KEY, weight: 1 }],
        requestHeaders: { set: { 'x-added': 'by-waypoint' } },
        responseHeaders: { set: { 'x-resp': 'yes' } },
      },
    ],
  });
  const deny: L7AuthorizationPolicy = {
    name: 'server-ns/deny-admin',
    action: 'DENY',
    dryRun: false,
    rules: [
      {
        from: [],
        to: [
          {
            hosts: [],
            notHosts: [],
            ports: [],
            notPorts: [],
            methods: [],
            notMethods: [],
            paths: ['/admin*'],
            notPaths: [],
          },
        ],
        when: [],
      },
    ],
  };
  l7.security.set(SVC_KEY, {
    service: SVC_KEY,
    jwtRules: [],
    requestAuthentications: [],
    authorizationPolicies: [deny],
  });
  try {
    assert.equal((await get1('/abort/x')).status, 418);
    assert.equal((await get1('/admin/panel')).status, 403);
    const ok = await get1('/fine');
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.body).headers['x-added'], 'by-waypoint');
    assert.equal(ok.headers['x-resp'], 'yes');
  } finally {
    l7.routeTables.delete(SVC_KEY);
    l7.security.delete(SVC_KEY);
  }
  // Without the config the same paths reach the app.
  assert.equal((await get1('/abort/x')).status, 200);
  assert.equal((await get1('/admin/panel')).status, 200);
});

test('istio_requests_total reports the waypoint, and each request is access-logged', { skip }, async () => {
  const text = await waypoint.registry.metrics();
  const lines = text.split('\n').filter((l) => l.startsWith('istio_requests_total{'));
  const ok = lines.find(
    (l) =>
      l.includes('reporter="waypoint"') &&
      l.includes('response_code="200"') &&
      l.includes('destination_workload="echo"'),
  );
  assert.ok(ok, lines.join('\n'));
  assert.ok(ok.includes(`source_principal="${CLIENT_ID}"`), ok);
  assert.ok(lines.some((l) => l.includes('response_code="418"') && l.includes('response_flags="FI"')));
  assert.ok(accessLines.some((l) => l.includes('GET /admin/panel HTTP/1.1\\" 403')));
});

test('a server-first TCP protocol goes through as TCP, from the original client address', {
  skip,
}, async () => {
  const stream = await tunnel(90);
  const read = () =>
    new Promise<string>((resolve) => stream.once('data', (d: Buffer) => resolve(d.toString())));
  // The client sends nothing first: the waypoint must stop waiting for HTTP and connect.
  const banner = await read();
  assert.match(banner, /^BANNER from=/);
  // The destination ztunnel trusted the waypoint's Forwarded: the app sees the client's address.
  assert.equal(banner.trim(), `BANNER from=${CLIENT}`);
  stream.write('ping');
  assert.equal(await read(), 'ping');
  stream.close();
});

test('an L4 AuthorizationPolicy bound to the waypoint closes a TCP tunnel of a principal it does not allow', {
  skip,
}, async () => {
  const from = (principals: string[]) => ({
    principals,
    notPrincipals: [],
    requestPrincipals: [],
    notRequestPrincipals: [],
    namespaces: [],
    notNamespaces: [],
    ipBlocks: [],
    notIpBlocks: [],
    remoteIpBlocks: [],
    notRemoteIpBlocks: [],
  });
  const allowOnly = (principal: string): L7AuthorizationPolicy => ({
    name: 'server-ns/allow-one',
    action: 'ALLOW',
    dryRun: false,
    rules: [{ from: [from([principal])], to: [], when: [] }],
  });
  const outcome = async () => {
    const stream = await tunnel(90);
    return new Promise<string>((resolve) => {
      stream.once('data', (d: Buffer) => {
        stream.close();
        resolve(d.toString().split(' ')[0]!);
      });
      stream.once('close', () => resolve('closed'));
    });
  };
  try {
    l7.security.set(SVC_KEY, {
      service: SVC_KEY,
      jwtRules: [],
      requestAuthentications: [],
      authorizationPolicies: [allowOnly('cluster.local/ns/other/sa/x')],
    });
    assert.equal(await outcome(), 'closed');
    l7.security.set(SVC_KEY, {
      service: SVC_KEY,
      jwtRules: [],
      requestAuthentications: [],
      authorizationPolicies: [allowOnly(CLIENT_ID.replace('spiffe://', ''))],
    });
    assert.equal(await outcome(), 'BANNER');
  } finally {
    l7.security.delete(SVC_KEY);
  }
});
