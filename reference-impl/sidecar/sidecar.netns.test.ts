/**
 * Root-only end-to-end test of the sidecar in real network namespaces (198.18.244.0/24, names
 * `mbt-zt-sc*`, all removed afterwards): two "injected" pods, each with its own in-process sidecar
 * bound inside its namespace and Istio's capture rules installed there, plus an uncaptured pod.
 * A plaintext marker crosses the wire as TLS only (and, as the control, in clear from the uncaptured
 * pod); the destination sidecar reports the source's SPIFFE identity; an L4 policy applies at the
 * destination sidecar; PeerAuthentication STRICT (as the converted DENY policy) refuses plaintext;
 * HTTP to a service goes through the L7 engine: an L7 AuthorizationPolicy is enforced by the
 * destination sidecar (403 for one path only, source principal seen) and a fault-injection route by
 * the source sidecar.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { connectFromNetns, openNetns } from '../../core/linux/netns.ts';
import { createLogger } from '../../core/logger.ts';
import type { L7AuthorizationPolicy, L7Resources } from '../api/l7.ts';
import { defaultRedirectOptions, hasRedirect, installRedirect } from '../node-agent/redirect-rules.ts';
import { emptyL7Resources } from '../waypoint/l7-store.ts';
import { createTestCa, type TestCa } from '../ztunnel/identity/test-ca.ts';
import { createWorkloadStore } from '../ztunnel/state/workload-store.ts';
import { policy, workload } from '../ztunnel/testing/fixtures.ts';
import { createNetnsLab, leftoverNamespaces, type NetnsLab } from '../ztunnel/testing/netns-lab.ts';
import { sidecarConfig } from './config.ts';
import { createSidecarL7 } from './l7.ts';
import { type Sidecar, startSidecar } from './sidecar.ts';

const isRoot = process.getuid?.() === 0;
const skip = !isRoot && 'needs root (network namespaces, iptables)';
const TAG = `${process.pid % 100000}`;
const A = '198.18.244.11';
const B = '198.18.244.21';
const C = '198.18.244.31';
const MARKER = 'MESHBENCH-SIDECAR-MARKER-51c9';
const CLIENT_ID = 'spiffe://cluster.local/ns/client-ns/sa/client';
const VIP = '198.18.245.1';
const SVC = 'web.server-ns.svc.cluster.local';
const SVC_KEY = `server-ns/${SVC}`;
const l7: L7Resources = emptyL7Resources();

let lab: NetnsLab;
let ns: { a: string; b: string; c: string };
let ca: TestCa;
let server: ChildProcess;
let web: ChildProcess;
const store = createWorkloadStore();
const dir = mkdtempSync(join(tmpdir(), 'mbt-sc-'));
const accessLines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, cb) {
    accessLines.push(...chunk.toString().split('\n').filter(Boolean));
    cb();
  },
});
const logger = createLogger({ stream: sink, level: 'info' });
const sidecars: Partial<Record<'a' | 'b', Sidecar>> = {};

/** Connects from inside `from` (as the application would), sends `msg`, returns the reply. */
function talk(from: string, host: string, port: number, msg: string, timeoutMs = 3000): Promise<string> {
  const handle = openNetns(from);
  return new Promise<string>((resolve, reject) => {
    const s = connectFromNetns(handle, { host, port });
    let got = '';
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`timeout talking to ${host}:${port}`));
    }, timeoutMs);
    s.on('connect', () => s.write(msg));
    s.on('data', (d) => {
      got += d;
    });
    s.on('end', () => {
      clearTimeout(t);
      s.destroy();
      if (got) resolve(got);
      else reject(new Error(`closed without reply by ${host}:${port}`));
    });
    s.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
  }).finally(() => handle.close());
}

/** Runs `fn` while tcpdump records the bridge; returns the capture's bytes and its summary. */
async function onTheWire(fn: () => Promise<unknown>): Promise<{ bytes: Buffer; summary: string }> {
  const pcap = join(dir, `wire-${Date.now()}.pcap`);
  const dump = lab.spawnIn(lab.bridgeNs, [
    'tcpdump',
    '-Z',
    'root',
    '-i',
    'any',
    '--immediate-mode',
    '-U',
    '-w',
    pcap,
    'tcp',
  ]);
  await new Promise<void>((resolve) => {
    dump.stderr!.on('data', (d) => {
      if (String(d).includes('listening')) resolve();
    });
    setTimeout(resolve, 2000);
  });
  await fn();
  await new Promise((r) => setTimeout(r, 300));
  process.kill(dump.pid!, 'SIGINT');
  await new Promise((r) => dump.once('exit', r));
  const summary = execFileSync('tcpdump', ['-nn', '-r', pcap], { stdio: 'pipe' }).toString();
  return { bytes: readFileSync(pcap), summary };
}

before(async () => {
  if (!isRoot) return;
  lab = createNetnsLab(TAG);
  ns = { a: lab.addPod('sca', A), b: lab.addPod('scb', B), c: lab.addPod('scc', C) };
  ca = await createTestCa();
  server = lab.spawnIn(ns.b, [
    process.execPath,
    '-e',
    "const s=require('net').createServer(c=>{c.on('error',()=>{});c.once('data',d=>c.end('from='+c.remoteAddress+' got='+d))});s.listen(8080,'0.0.0.0',()=>console.log('listening'))",
  ]);
  await new Promise<void>((resolve, reject) => {
    server.stdout!.once('data', () => resolve());
    server.once('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
  store.upsertWorkload(
    workload({
      uid: 'a',
      addresses: [A],
      namespace: 'client-ns',
      serviceAccount: 'client',
      nativeTunnel: true,
    }),
  );
  // An HTTP app on 8081 that reports what it received (method, path, forwarded client cert).
  web = lab.spawnIn(ns.b, [
    process.execPath,
    '-e',
    "require('http').createServer((q,r)=>r.end('path='+q.url+' xfcc='+(q.headers['x-forwarded-client-cert']||'-'))).listen(8081,'0.0.0.0',()=>console.log('listening'))",
  ]);
  await new Promise<void>((resolve, reject) => {
    web.stdout!.once('data', () => resolve());
    web.once('exit', (c) => reject(new Error(`web exited ${c}`)));
  });
  store.upsertWorkload(
    workload({
      uid: 'b',
      addresses: [B],
      namespace: 'server-ns',
      serviceAccount: 'server',
      nativeTunnel: true,
      services: { [SVC_KEY]: [{ servicePort: 80, targetPort: 8081 }] },
    }),
  );
  store.upsertService({
    name: 'web',
    namespace: 'server-ns',
    hostname: SVC,
    addresses: [{ network: '', address: VIP }],
    ports: [{ servicePort: 80, targetPort: 8081 }],
    subjectAltNames: [],
  });
  store.upsertWorkload(workload({ uid: 'c', addresses: [C], namespace: 'outside', tunnelProtocol: 'NONE' }));
  for (const [key, ip, name, namespace, sa, node] of [
    ['a', A, 'a', 'client-ns', 'client', 'node-a'],
    ['b', B, 'b', 'server-ns', 'server', 'node-b'],
  ] as const) {
    const netns = `/run/netns/${ns[key]}`;
    sidecars[key] = await startSidecar({
      config: sidecarConfig({ node, connectTimeoutMs: 2000 }),
      pod: { uid: key, name, namespace, ips: [ip], serviceAccount: sa, node, netns },
      state: store,
      certificates: { fetchCertificate: (id) => ca.issue(id) },
      logger: logger.child({ sidecar: key }),
      l7: (inputs, pod, registry) => createSidecarL7({ inputs, pod, resources: l7, registry }),
    });
    // The route to the VIP only: in a cluster, pods reach service addresses through their node.
    lab.exec(ns[key], ['ip', 'route', 'add', `${VIP}/32`, 'dev', 'eth0']);
    installRedirect(netns, { ...defaultRedirectOptions, dnsCapture: false });
  }
});

after(async () => {
  if (!isRoot) return;
  await sidecars.a?.close();
  await sidecars.b?.close();
  lab?.destroy();
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(leftoverNamespaces(TAG), []);
});

test('each injected pod has its capture rules and its own sidecar listeners', { skip }, () => {
  for (const key of ['a', 'b'] as const) {
    assert.equal(hasRedirect(`/run/netns/${ns[key]}`), true);
    const listening = lab.exec(ns[key], ['ss', '-Htln']);
    for (const port of [15001, 15006, 15008]) assert.match(listening, new RegExp(`:${port}\\b`));
  }
  assert.equal(hasRedirect(`/run/netns/${ns.c}`), false);
});

test('between the sidecars only TLS on 15008 crosses the wire; without sidecar the marker does', {
  skip,
}, async () => {
  const meshed = await onTheWire(async () => {
    assert.match(await talk(ns.a, B, 8080, MARKER), new RegExp(`got=${MARKER}`));
  });
  assert.ok(meshed.bytes.length > 200, 'capture is not empty');
  assert.equal(meshed.bytes.includes(Buffer.from(MARKER)), false, 'plaintext marker must not cross the wire');
  assert.match(meshed.summary, /\.15008[ :]/);
  const to8080 = meshed.summary.split('\n').filter((l) => /\.8080[ :]/.test(l));
  assert.deepEqual(to8080, []);
  // Control: the uncaptured pod's call reaches B through its sidecar's 15006 (PERMISSIVE) in clear.
  const plain = await onTheWire(async () => {
    assert.match(await talk(ns.c, B, 8080, MARKER), new RegExp(`got=${MARKER}`));
  });
  assert.equal(plain.bytes.includes(Buffer.from(MARKER)), true, 'the control sends the marker in clear');
});

test('the destination sidecar sees the source SPIFFE identity (access log and metrics)', {
  skip,
}, async () => {
  await talk(ns.a, B, 8080, 'who');
  await new Promise((r) => setTimeout(r, 100));
  const inbound = accessLines
    .map((l) => JSON.parse(l))
    .filter((l) => l.scope === 'access' && l.listener === 'inbound' && l.sidecar === 'b');
  assert.ok(inbound.length > 0, 'sidecar b logged inbound connections');
  assert.equal(inbound.at(-1).src.identity, CLIENT_ID);
  assert.equal(inbound.at(-1).mtls, true);
  const dst = await sidecars.b!.registry.metrics();
  assert.match(
    dst,
    /istio_tcp_connections_opened_total\{reporter="destination",source_workload="a".*source_principal="spiffe:\/\/cluster.local\/ns\/client-ns\/sa\/client"/,
  );
  const src = await sidecars.a!.registry.metrics();
  assert.match(src, /istio_tcp_connections_opened_total\{reporter="source",source_workload="a"/);
  assert.match(src, /connection_security_policy="mutual_tls"/);
});

test('an L4 policy applies at the destination sidecar, by the source principal', { skip }, async () => {
  const deny = policy('deny-client', 'server-ns', 'DENY', [
    { principals: [{ exact: CLIENT_ID.replace('spiffe://', '') }] },
  ]);
  store.upsertAuthorization(deny);
  try {
    await assert.rejects(talk(ns.a, B, 8080, 'denied'));
    // Not from the uncaptured pod: it has no identity, so the principal rule does not match it.
    assert.match(await talk(ns.c, B, 8080, 'other'), /got=other/);
  } finally {
    store.removeAuthorization('server-ns/deny-client');
  }
  assert.match(await talk(ns.a, B, 8080, 'again'), /got=again/);
});

test('PeerAuthentication STRICT (converted DENY without principal) refuses plaintext only', {
  skip,
}, async () => {
  store.upsertAuthorization(policy('strict', 'server-ns', 'DENY', [{ notPrincipals: [{ presence: true }] }]));
  try {
    await assert.rejects(talk(ns.c, B, 8080, 'plain'));
    assert.match(await talk(ns.a, B, 8080, 'mtls'), /got=mtls/);
  } finally {
    store.removeAuthorization('server-ns/strict');
  }
});

/** An HTTP/1.1 GET from inside `from` (as the application would); returns status and body. */
async function httpGet(from: string, host: string, port: number, path: string) {
  const raw = await talk(
    from,
    host,
    port,
    `GET ${path} HTTP/1.1\r\nHost: ${SVC}\r\nConnection: close\r\n\r\n`,
  );
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
  return { status, body: raw.slice(raw.indexOf('\r\n\r\n') + 4) };
}

const denyAdmin: L7AuthorizationPolicy = {
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

/** Requests the destination sidecar has reported so far. */
async function destinationRequests(): Promise<number> {
  const text = await sidecars.b!.registry.metrics();
  return [...text.matchAll(/^istio_requests_total\{reporter="destination"[^\n]*\} (\d+)$/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
}

test('HTTP through both sidecars: L7 policy at the destination sidecar, identity forwarded', {
  skip,
}, async () => {
  const before = await httpGet(ns.a, VIP, 80, '/admin/x');
  assert.equal(before.status, 200, `without the policy /admin is served: ${before.body}`);
  assert.match(before.body, /path=\/admin\/x xfcc=By=spiffe:\/\/cluster.local\/ns\/client-ns\/sa\/client/);
  l7.security.set(SVC_KEY, {
    service: SVC_KEY,
    jwtRules: [],
    requestAuthentications: [],
    authorizationPolicies: [denyAdmin],
  });
  try {
    assert.equal((await httpGet(ns.a, VIP, 80, '/admin/x')).status, 403);
    assert.equal((await httpGet(ns.a, VIP, 80, '/public')).status, 200);
  } finally {
    l7.security.delete(SVC_KEY);
  }
  const dst = await sidecars.b!.registry.metrics();
  assert.match(
    dst,
    /istio_requests_total\{reporter="destination",.*source_principal="spiffe:\/\/cluster.local\/ns\/client-ns\/sa\/client".*response_code="403"/,
  );
  const src = await sidecars.a!.registry.metrics();
  assert.match(src, /istio_requests_total\{reporter="source",.*response_code="200"/);
});

test('fault injection applies at the source sidecar (the destination never sees the request)', {
  skip,
}, async () => {
  l7.routeTables.set(SVC_KEY, {
    service: SVC_KEY,
    source: 'VirtualService',
    routes: [
      {
        name: 'VirtualService/server-ns/web#0',
        matches: [],
        backends: [{ service: SVC_KEY, weight: 100 }],
        fault: { abort: { httpStatus: 418, percentage: 100 } },
      },
    ],
  });
  try {
    const served = await destinationRequests();
    assert.equal((await httpGet(ns.a, VIP, 80, '/fault')).status, 418);
    assert.equal(await destinationRequests(), served);
    assert.match(
      await sidecars.a!.registry.metrics(),
      /istio_requests_total\{reporter="source",.*response_code="418"/,
    );
  } finally {
    l7.routeTables.delete(SVC_KEY);
  }
  const served = await destinationRequests();
  assert.equal((await httpGet(ns.a, VIP, 80, '/fault')).status, 200);
  assert.equal(await destinationRequests(), served + 1);
});

test('an L7 ALLOW policy is enforced by the L7 engine, not as its L4 form (deny-all) at the sidecar', {
  skip,
}, async () => {
  // What the control plane sends for an ALLOW policy with only L7 rules: the L4 form has no rule
  // left (nothing matches, so ztunnel denies all), the L7 form allows GET /public only.
  store.upsertAuthorization({
    name: 'get-public',
    namespace: 'server-ns',
    scope: 'NAMESPACE',
    action: 'ALLOW',
    dryRun: false,
    rules: [],
  });
  l7.security.set(SVC_KEY, {
    service: SVC_KEY,
    jwtRules: [],
    requestAuthentications: [],
    authorizationPolicies: [
      {
        name: 'server-ns/get-public',
        action: 'ALLOW',
        dryRun: false,
        rules: [
          {
            ...denyAdmin.rules[0]!,
            to: [{ ...denyAdmin.rules[0]!.to[0]!, methods: ['GET'], paths: ['/public'] }],
          },
        ],
      },
    ],
  });
  try {
    assert.equal((await httpGet(ns.a, VIP, 80, '/public')).status, 200);
    assert.equal((await httpGet(ns.a, VIP, 80, '/other')).status, 403);
    // Bytes that are not HTTP meet the L4 form (deny-all), on the service's port or any other.
    await assert.rejects(talk(ns.a, VIP, 80, 'not http at all'));
    await assert.rejects(talk(ns.a, B, 8080, 'tcp'));
  } finally {
    store.removeAuthorization('server-ns/get-public');
    l7.security.delete(SVC_KEY);
  }
});
