/**
 * @module reference-impl/control-plane/bench/push-latency
 * `npm run bench:control-plane`: time from a config change to every connected proxy having it, with
 * 100, 1,000 and 10,000 workloads and 20 delta-xDS clients on loopback TLS. Two changes: a Pod's
 * readiness flips (incremental path) and an AuthorizationPolicy changes (full model rebuild). Also
 * control-plane heap per 1,000 workloads. The clients run in one worker thread (bench-clients.ts),
 * off the control plane's event loop; on a machine without a free core their decoding still
 * competes for CPU. Options: `--sizes 100,1000 --clients 20 --changes 30 --json FILE`.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { silentLogger } from '../../../core/logger.ts';
import { type ControlPlane, startControlPlane } from '../control-plane.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,1000,10000' },
    clients: { type: 'string', default: '20' },
    changes: { type: 'string', default: '30' },
    json: { type: 'string' },
  },
});
const sizes = values.sizes!.split(',').map(Number);
const CLIENTS = Number(values.clients);
const CHANGES = Number(values.changes);
const PODS_PER_NS = 100;
const SVCS_PER_NS = 10;

const ip = (i: number, base: number) => `198.${base}.${(i >> 8) & 255}.${i & 255}`;

function podManifest(i: number, ready: boolean) {
  const ns = `ns-${Math.floor(i / PODS_PER_NS)}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: ns, labels: { app: `svc-${i % SVCS_PER_NS}` } },
    spec: {
      nodeName: `node-${i % CLIENTS}`,
      serviceAccountName: `sa-${i % SVCS_PER_NS}`,
      containers: [{ name: 'c', image: 'echo', ports: [{ name: 'http', containerPort: 8080 }] }],
    },
    status: {
      phase: 'Running',
      podIP: ip(i, 18),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

function load(cp: ControlPlane, n: number) {
  const namespaces = Math.ceil(n / PODS_PER_NS);
  for (let k = 0; k < namespaces; k++) {
    cp.store.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: `ns-${k}`, labels: { 'istio.io/dataplane-mode': 'ambient' } },
    });
    for (let s = 0; s < SVCS_PER_NS; s++) {
      cp.store.apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `svc-${s}`, namespace: `ns-${k}` },
        spec: {
          clusterIP: ip(k * SVCS_PER_NS + s, 19),
          selector: { app: `svc-${s}` },
          ports: [{ port: 80, targetPort: 'http' }],
        },
      });
    }
  }
  for (let i = 0; i < n; i++) cp.store.apply(podManifest(i, true));
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const settle = () => new Promise((r) => setTimeout(r, 50));

interface SizeResult {
  workloads: number;
  clients: number;
  changes: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  initialSyncMs: number;
  heapBytesPer1000: number;
  /** Same, for an AuthorizationPolicy change (full rebuild). */
  policyP50Ms: number;
  policyP99Ms: number;
}

async function runSize(n: number): Promise<SizeResult> {
  const tokens = new Map(Array.from({ length: CLIENTS }, (_, i) => [`tok-${i}`, `node-${i}`]));
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const cp = await startControlPlane({
    listen: { host: '127.0.0.1', port: 0 },
    trustDomain: 'cluster.local',
    nodeTokens: tokens,
    certTtlSeconds: 3600,
    logger: silentLogger,
  });
  load(cp, n);
  await settle();
  cp.rebuild();
  gc();
  const heapBytesPer1000 = ((process.memoryUsage().heapUsed - heap0) / n) * 1000;

  const worker = new Worker(
    `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(new URL('./bench-clients.ts', import.meta.url).href)}); });`,
    {
      eval: true,
      workerData: {
        address: `127.0.0.1:${cp.grpcPort}`,
        rootCertPem: cp.rootCertPem,
        clients: CLIENTS,
        workloads: n,
      },
    },
  );
  const replies = new Map<number, (at: number) => void>();
  const synced = new Promise<number>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (m: { synced?: boolean; ms?: number; id?: number; at?: number }) => {
      if (m.synced) resolve(m.ms!);
      else if (m.id !== undefined) replies.get(m.id)?.(m.at!);
    });
  });
  const initialSyncMs = await synced;
  let nextId = 0;
  const ask = (msg: Record<string, unknown>) =>
    new Promise<number>((resolve) => {
      const id = nextId++;
      replies.set(id, resolve);
      worker.postMessage({ ...msg, id });
    });
  const wall = () => performance.timeOrigin + performance.now();

  const latencies: number[] = [];
  for (let k = 0; k < CHANGES; k++) {
    const i = (k * 7919) % n;
    const uid = `Kubernetes//Pod/ns-${Math.floor(i / PODS_PER_NS)}/pod-${i}`;
    // Measured: the pod turns unready; every proxy must see it. The watch is armed first.
    const arrived = ask({ cmd: 'watch-workload', uid, status: 'UNHEALTHY' });
    await settle();
    const start = wall();
    cp.store.apply(podManifest(i, false));
    latencies.push((await arrived) - start);
    // Not measured: back to ready, so the next change is a real one.
    const back = ask({ cmd: 'watch-workload', uid, status: 'HEALTHY' });
    cp.store.apply(podManifest(i, true));
    await back;
    await settle();
  }

  // A policy change forces a full model rebuild (every workload re-translated and diffed).
  const policyLatencies: number[] = [];
  for (let k = 0; k < Math.min(CHANGES, 10); k++) {
    const arrived = ask({ cmd: 'watch-policy', key: 'ns-0/bench', port: 1000 + k });
    await settle();
    const start = wall();
    cp.store.apply({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'bench', namespace: 'ns-0' },
      spec: { action: 'DENY', rules: [{ to: [{ operation: { ports: [String(1000 + k)] } }] }] },
    });
    policyLatencies.push((await arrived) - start);
    await settle();
  }
  worker.postMessage({ cmd: 'close' });
  await new Promise((r) => setTimeout(r, 100));
  await worker.terminate();
  await cp.close();
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    workloads: n,
    clients: CLIENTS,
    changes: latencies.length,
    p50Ms: pct(sorted, 50),
    p99Ms: pct(sorted, 99),
    maxMs: sorted[sorted.length - 1]!,
    initialSyncMs,
    heapBytesPer1000,
    policyP50Ms: pct(
      [...policyLatencies].sort((a, b) => a - b),
      50,
    ),
    policyP99Ms: pct(
      [...policyLatencies].sort((a, b) => a - b),
      99,
    ),
  };
}

const results: SizeResult[] = [];
for (const n of sizes) {
  const r = await runSize(n);
  results.push(r);
  process.stdout.write(
    `${String(r.workloads).padStart(6)} workloads, ${r.clients} clients, ${r.changes} changes: ` +
      `pod change p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms; ` +
      `policy change (full rebuild) p50 ${r.policyP50Ms.toFixed(1)} ms, p99 ${r.policyP99Ms.toFixed(1)} ms; ` +
      `initial sync ${r.initialSyncMs.toFixed(0)} ms; control-plane heap ${(r.heapBytesPer1000 / 1024 / 1024).toFixed(2)} MiB per 1,000 workloads\n`,
  );
}
if (values.json)
  writeFileSync(
    values.json,
    `${JSON.stringify({ bench: 'control-plane-push-latency', results }, null, 2)}\n`,
  );
