/**
 * Root-only: a real 2-node local cluster (`mbtlocal`) with python3 workloads: reachability pod→pod
 * and pod→Service, DNS, no way out, endpoints following scaling and deletion, restart policies,
 * Jobs, logs, usage, capture, all-or-nothing apply, and a clean `down`.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hasCode, ValidationError } from '../../core/errors.ts';
import type { Cluster, KubeObject } from '../cluster.ts';
import { clusterPaths } from './naming.ts';
import { createLocalProvider } from './provider.ts';
import { assertNothingLeft, fetchScript, isRoot, skipUnlessRoot, webApp } from './test-support.ts';

const NAME = 'mbtlocal';
const NS = 'demo';
const provider = createLocalProvider();
let cluster: Cluster;

before(async () => {
  if (!isRoot) return;
  await provider.down(NAME);
  cluster = await provider.up({ name: NAME, nodes: 2 });
  await cluster.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, ...webApp(NS, 3)]);
  await cluster.waitReady([{ kind: 'Deployment', namespace: NS, name: 'web' }], { timeoutMs: 30_000 });
});

after(async () => {
  if (!isRoot) return;
  // Keep the daemon's log for post-mortems; the state dir goes with `down`.
  try {
    copyFileSync(clusterPaths(NAME).daemonLog, `/tmp/${NAME}-daemon.log`);
  } catch {}
  await provider.down(NAME);
  assertNothingLeft(NAME);
});

const lines = (s: string) => s.trim().split('\n').filter(Boolean);

test('pods reach each other on the same node and across nodes', { skip: skipUnlessRoot }, async () => {
  const pods = await cluster.pods(NS, { app: 'web' });
  assert.equal(pods.length, 3);
  assert.deepEqual(new Set(pods.map((p) => p.node)), new Set(['node0', 'node1']));
  for (const from of pods) {
    const r = await cluster.exec(from, fetchScript(pods.map((p) => `http://${p.ip}:8080/`)));
    assert.deepEqual(
      lines(r.stdout),
      pods.map((p) => p.name),
      r.stderr,
    );
  }
});

test('the Service VIP reaches every replica; DNS full and short names resolve', {
  skip: skipUnlessRoot,
}, async () => {
  const pods = await cluster.pods(NS, { app: 'web' });
  const from = pods[0]!;
  const r = await cluster.exec(from, fetchScript([`http://web.${NS}.svc.cluster.local/`, 'http://web/'], 20));
  const seen = lines(r.stdout);
  assert.equal(seen.length, 40);
  assert.deepEqual(new Set(seen), new Set(pods.map((p) => p.name)), r.stdout);
  const nx = await cluster.exec(from, [
    'python3',
    '-c',
    'import socket\ntry: socket.gethostbyname("nope.demo.svc.cluster.local")\nexcept socket.gaierror as e: print("NX")',
  ]);
  assert.equal(nx.stdout.trim(), 'NX');
  // DNS over TCP too (resolvers fall back to it for large answers).
  const tcp = await cluster.exec(from, [
    'python3',
    '-c',
    [
      'import socket, struct',
      "q = struct.pack('>HHHHHH', 9, 0x100, 1, 0, 0, 0) + b''.join(bytes([len(p)]) + p.encode() for p in 'web.demo.svc.cluster.local'.split('.')) + b'\\0' + struct.pack('>HH', 1, 1)",
      "s = socket.create_connection(('198.19.0.10', 53), timeout=3); s.sendall(struct.pack('>H', len(q)) + q)",
      'r = s.recv(4096)[2:]',
      'print(socket.inet_ntoa(r[-4:]))',
    ].join('\n'),
  ]);
  const svc = await cluster.get({ kind: 'Service', namespace: NS, name: 'web' });
  assert.equal(tcp.stdout.trim(), (svc?.spec as { clusterIP?: string } | undefined)?.clusterIP, tcp.stderr);
});

test('no pod can reach an address outside the cluster', { skip: skipUnlessRoot }, async () => {
  const [from] = await cluster.pods(NS, { app: 'web' });
  const r = await cluster.exec(from!, [
    'python3',
    '-c',
    'import socket\ns=socket.socket(); s.settimeout(2)\ntry: s.connect(("203.0.113.1", 80)); print("CONNECTED")\nexcept OSError as e: print(e.errno)',
  ]);
  assert.equal(r.stdout.trim(), '101');
});

test('scaling and deleting a pod update the endpoints', { skip: skipUnlessRoot }, async () => {
  const [deploy] = webApp(NS, 5);
  await cluster.apply([deploy!]);
  await cluster.waitReady([deploy!], { timeoutMs: 30_000 });
  const epCount = async () => {
    const ep = await cluster.get({ kind: 'Endpoints', namespace: NS, name: 'web' });
    return ((ep?.subsets as unknown[]) ?? []).length;
  };
  assert.equal(await epCount(), 5);
  const victim = (await cluster.pods(NS, { app: 'web' }))[0]!;
  await cluster.delete([{ kind: 'Pod', namespace: NS, name: victim.name }]);
  const deadline = Date.now() + 15_000;
  let ips: string[] = [];
  while (Date.now() < deadline) {
    const ep = await cluster.get({ kind: 'Endpoints', namespace: NS, name: 'web' });
    ips = ((ep?.subsets as { addresses: { ip: string; targetRef: { name: string } }[] }[]) ?? []).map(
      (s) => s.addresses[0]!.targetRef.name,
    );
    if (ips.length === 5 && !ips.includes(victim.name)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(ips.length, 5);
  assert.ok(!ips.includes(victim.name));
  await cluster.apply([webApp(NS, 3)[0]!]);
  await cluster.waitReady([deploy!], { timeoutMs: 30_000 });
  assert.equal(await epCount(), 3);
});

const pod = (name: string, restartPolicy: string, script: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS },
  spec: { restartPolicy, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script] }] },
});

test('restart policies, Jobs and logs', { skip: skipUnlessRoot }, async () => {
  await cluster.apply([
    pod('never', 'Never', 'echo hello-never; exit 3'),
    pod('onfailure', 'OnFailure', 'echo try; exit 1'),
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'job', namespace: NS },
      spec: {
        completions: 2,
        template: {
          spec: { restartPolicy: 'Never', containers: [{ name: 'j', image: 'busybox', command: ['true'] }] },
        },
      },
    },
  ]);
  await cluster.waitReady([{ kind: 'Job', namespace: NS, name: 'job' }], { timeoutMs: 20_000 });
  const deadline = Date.now() + 15_000;
  let never: { phase?: string; restarts?: number } | undefined;
  let onf: { restarts?: number } | undefined;
  while (Date.now() < deadline) {
    const pods = await cluster.pods(NS);
    never = pods.find((p) => p.name === 'never');
    onf = pods.find((p) => p.name === 'onfailure');
    if (never?.phase === 'Failed' && (onf?.restarts ?? 0) >= 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(never?.phase, 'Failed');
  assert.equal(never?.restarts, 0);
  assert.ok((onf?.restarts ?? 0) >= 2, `onfailure restarts ${onf?.restarts}`);
  assert.match(await cluster.logs({ namespace: NS, name: 'never' }), /hello-never/);
  assert.ok(lines(await cluster.logs({ namespace: NS, name: 'onfailure' }, { tail: 2 })).length <= 2);
  await cluster.delete([pod('never', 'Never', ''), pod('onfailure', 'OnFailure', '')]);
});

test('usage numbers grow', { skip: skipUnlessRoot }, async () => {
  const [p] = await cluster.pods(NS, { app: 'web' });
  const before = await cluster.usage(p!);
  assert.ok(before.memoryBytes > 0);
  await cluster.exec(p!, ['python3', '-c', 'x=bytearray(30_000_000)\nfor i in range(3_000_000): pass']);
  const afterUsage = await cluster.usage(p!);
  assert.ok(
    afterUsage.cpuSeconds > before.cpuSeconds + 0.05,
    `${before.cpuSeconds} -> ${afterUsage.cpuSeconds}`,
  );
  assert.ok(afterUsage.peakMemoryBytes >= before.peakMemoryBytes + 20_000_000);
});

test('capture on the underlay sees cross-node payloads', { skip: skipUnlessRoot }, async () => {
  const pods = await cluster.pods(NS, { app: 'web' });
  const from = pods.find((p) => p.node === 'node0')!;
  const to = pods.find((p) => p.node === 'node1')!;
  const cap = await cluster.capture({ underlay: true }, { filter: 'tcp port 8080' });
  await cluster.exec(from, fetchScript([`http://${to.ip}:8080/`]));
  const segs = await cap.stop();
  assert.ok(
    segs.some((s) => s.dst === to.ip && s.dstPort === 8080 && s.payload.toString().startsWith('GET /')),
    JSON.stringify(segs.length),
  );
  assert.ok(
    segs.some((s) => s.src === to.ip && s.payload.toString().startsWith('HTTP/1.')),
    segs.map((s) => `${s.src}:${s.srcPort}>${s.dst}:${s.dstPort} ${s.payload.length}`).join(', '),
  );
});

test('apply is all-or-nothing and names the bad field', { skip: skipUnlessRoot }, async () => {
  const cm: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cm', namespace: NS },
    data: { a: 'b' },
  };
  await assert.rejects(
    cluster.apply([
      cm,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'x', namespace: NS },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    ]),
    (err: unknown) =>
      err instanceof ValidationError &&
      /spec\.containers\[0\]\.image/.test(err.message) &&
      /meshbench\/echo/.test(err.message),
  );
  await assert.rejects(
    cluster.apply([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'missing' } }]),
    /namespace "missing" does not exist/,
  );
  await assert.rejects(
    cluster.apply([cm, { apiVersion: 'v9', kind: 'Widget', metadata: { name: 'w' } }]),
    (e: unknown) => (e as ValidationError).code === 'E_MANIFEST_KIND',
  );
  assert.equal(await cluster.get({ kind: 'ConfigMap', namespace: NS, name: 'cm' }), undefined);
  await assert.rejects(
    cluster.waitReady([{ kind: 'Pod', namespace: NS, name: 'ghost' }], { timeoutMs: 300 }),
    /Pod demo\/ghost not ready.*not found/,
  );
});

test('a template change rolls the Deployment; the config dir mirrors objects with live pod status', {
  skip: skipUnlessRoot,
}, async () => {
  const before = new Set((await cluster.pods(NS, { app: 'web' })).map((p) => p.name));
  const [deploy] = webApp(NS, 3);
  const spec = deploy!.spec as { template: { metadata: { annotations?: Record<string, string> } } };
  spec.template.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() };
  await cluster.apply([deploy!]);
  await cluster.waitReady([deploy!], { timeoutMs: 30_000 });
  const after = await cluster.pods(NS, { app: 'web' });
  assert.equal(after.length, 3);
  assert.ok(after.every((p) => !before.has(p.name) && p.ready));
  const dir = clusterPaths(NAME).configDir;
  const podFile = readFileSync(join(dir, `pod.${NS}.${after[0]!.name}.yaml`), 'utf8');
  assert.match(podFile, new RegExp(`podIP: ${after[0]!.ip.replace(/\./g, '\\.')}`));
  assert.match(podFile, /meshbench\.io\/netns: \/run\/netns\/mb-mbtlocal-p-[0-9a-f]{8}/);
  assert.match(podFile, /nodeName: node[01]/);
  assert.match(podFile, /type: Ready\n\s+status: "True"/);
  assert.ok(existsSync(join(dir, `namespace._cluster.${NS}.yaml`)));
  assert.ok(existsSync(join(dir, `service.${NS}.web.yaml`)));
  for (const name of before)
    assert.ok(!existsSync(join(dir, `pod.${NS}.${name}.yaml`)), `stale file for ${name}`);
  await assert.rejects(
    cluster.apply([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'pinned', namespace: NS },
        spec: { nodeName: 'node9', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] },
      },
    ]),
    /spec\.nodeName.*no node named "node9"/,
  );
});

test('waits fail fast on what can never be ready (waypoint Gateway without a mesh, finished pod)', {
  skip: skipUnlessRoot,
}, async () => {
  const gw: KubeObject = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'waypoint', namespace: NS },
    spec: {
      gatewayClassName: 'istio-waypoint',
      listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
    },
  };
  await cluster.apply([gw, pod('done', 'Never', 'true')]);
  const t0 = Date.now();
  await assert.rejects(cluster.waitReady([gw], { timeoutMs: 20_000 }), (e: unknown) =>
    hasCode(e, 'E_UNSUPPORTED'),
  );
  assert.ok(Date.now() - t0 < 5000);
  await new Promise((r) => setTimeout(r, 500));
  await assert.rejects(
    cluster.waitReady([{ kind: 'Pod', namespace: NS, name: 'done' }], { timeoutMs: 20_000 }),
    /never become ready/,
  );
  await cluster.delete([gw, pod('done', 'Never', 'true')]);
});
