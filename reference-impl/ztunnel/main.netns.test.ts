/**
 * Root-only process smoke test: the real control plane, `ztunnel/main.ts` and `node-agent/main.ts`
 * started as the local cluster starts them, in a test node namespace (`mbt-zt-*`, 198.18.240.0/24).
 * Checks readiness, admin endpoints (no private keys), metrics, enrolment from the config dir, and
 * a connection from a pod to its own service VIP through HBONE with CA-issued certificates.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { connectFromNetns, openNetns } from '../../core/linux/netns.ts';
import { createNetnsLab, leftoverNamespaces, type NetnsLab } from './testing/netns-lab.ts';

const isRoot = process.getuid?.() === 0;
const skip = !isRoot && 'needs root (network namespaces, iptables)';
const TAG = `m${process.pid % 100000}`;
const POD_IP = '198.18.240.11';
const NODE_IP = '198.18.240.1';
const VIP = '198.18.241.10';
const here = resolve(import.meta.dirname);
let lab: NetnsLab;
let nodeNs = '';
let podNs = '';
const dir = mkdtempSync(join(tmpdir(), 'mbt-zt-main-'));
const procs: ChildProcess[] = [];
const logs: Record<string, string> = { cp: '', ztunnel: '', agent: '' };

/** HTTP/1.0 GET from inside `ns`; returns status and body. */
function get(
  ns: string,
  host: string,
  port: number,
  path: string,
): Promise<{ status: number; body: string }> {
  const h = openNetns(ns);
  return new Promise<{ status: number; body: string }>((res, rej) => {
    const s = connectFromNetns(h, { host, port });
    let buf = '';
    s.on('connect', () => s.write(`GET ${path} HTTP/1.0\r\nHost: ${host}\r\n\r\n`));
    s.on('data', (d) => {
      buf += d;
    });
    s.on('end', () => {
      const status = Number(/^HTTP\/1\.\d (\d+)/.exec(buf)?.[1] ?? 0);
      res({ status, body: buf.slice(buf.indexOf('\r\n\r\n') + 4) });
    });
    s.on('error', rej);
    setTimeout(() => rej(new Error('timeout')), 3000);
  }).finally(() => h.close());
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  while (Date.now() - t0 < ms) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `${what} not reached in ${ms} ms (${String(last)})\n${Object.entries(logs)
      .map(([k, v]) => `--- ${k}\n${v.slice(-3000)}`)
      .join('\n')}`,
  );
}

before(async () => {
  if (!isRoot) return;
  lab = createNetnsLab(TAG);
  nodeNs = lab.addPod('node', NODE_IP);
  podNs = lab.addPod('pod', POD_IP);
  const cfg = join(dir, 'config');
  const w = (f: string, s: string) => writeFileSync(join(cfg, f), s);
  rmSync(cfg, { recursive: true, force: true });
  mkdirSync(cfg, { recursive: true });
  w(
    'Namespace..demo.yaml',
    'apiVersion: v1\nkind: Namespace\nmetadata: { name: demo, labels: { istio.io/dataplane-mode: ambient } }\n',
  );
  w(
    'Pod.demo.echo-a.yaml',
    `apiVersion: v1\nkind: Pod\nmetadata: { name: echo-a, namespace: demo, uid: uid-echo-a, labels: { app: echo }, annotations: { meshbench.io/netns: /run/netns/${podNs} } }\nspec: { nodeName: node-a, serviceAccountName: echo, containers: [{ name: c, image: echo, ports: [{ name: http, containerPort: 8080 }] }] }\nstatus: { phase: Running, podIP: ${POD_IP}, conditions: [{ type: Ready, status: "True" }] }\n`,
  );
  w(
    'Service.demo.echo.yaml',
    `apiVersion: v1\nkind: Service\nmetadata: { name: echo, namespace: demo }\nspec: { clusterIP: ${VIP}, selector: { app: echo }, ports: [{ port: 80, targetPort: http }] }\n`,
  );
  writeFileSync(join(dir, 'tokens.json'), JSON.stringify({ 'tok-a': 'node-a' }));
  writeFileSync(join(dir, 'token-a'), 'tok-a\n');
  const tsx = (name: string, script: string, args: string[]) => {
    const p = lab.spawnIn(nodeNs, [process.execPath, '--import', 'tsx', script, ...args]);
    p.stderr!.on('data', (d) => {
      logs[name] += d;
    });
    procs.push(p);
    return p;
  };
  tsx('cp', join(here, '../control-plane/main.ts'), [
    '--config-dir',
    cfg,
    '--listen',
    '127.0.0.1:15012',
    '--admin',
    '127.0.0.1:15014',
    '--ca-dir',
    join(dir, 'ca'),
    '--node-tokens',
    join(dir, 'tokens.json'),
  ]);
  await until('control plane CA root', async () =>
    existsSync(join(dir, 'ca', 'root-cert.pem')) ? true : undefined,
  );
  const sock = join(dir, 'ztunnel.sock');
  tsx('ztunnel', join(here, 'main.ts'), [
    '--node',
    'node-a',
    '--xds',
    '127.0.0.1:15012',
    '--ca-root',
    join(dir, 'ca', 'root-cert.pem'),
    '--token-file',
    join(dir, 'token-a'),
    '--zds-socket',
    sock,
  ]);
  tsx('agent', join(here, '../node-agent/main.ts'), [
    '--node',
    'node-a',
    '--config-dir',
    cfg,
    '--zds-socket',
    sock,
  ]);
  // The application in the pod.
  const app = lab.spawnIn(podNs, [
    process.execPath,
    '-e',
    "require('net').createServer(c=>{c.on('error',()=>{});c.once('data',d=>c.end('app got='+d))}).listen(8080)",
  ]);
  procs.push(app);
});

after(async () => {
  if (!isRoot) return;
  for (const p of procs.reverse()) {
    if (p.pid && p.exitCode === null) {
      p.kill('SIGTERM');
      await Promise.race([new Promise((r) => p.once('exit', r)), new Promise((r) => setTimeout(r, 3000))]);
    }
  }
  lab?.destroy();
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(leftoverNamespaces(TAG), []);
});

test('ztunnel becomes ready and serves admin, certs (no keys) and metrics', { skip }, async () => {
  await until('readiness 200', async () =>
    (await get(nodeNs, '127.0.0.1', 15021, '/healthz/ready')).status === 200 ? true : undefined,
  );
  const dump = await until('pod in config_dump', async () => {
    const r = await get(nodeNs, '127.0.0.1', 15000, '/config_dump');
    return r.body.includes('"echo-a"') && r.body.includes('uid-echo-a') ? r.body : undefined;
  });
  assert.match(dump, /spiffe:\/\/cluster.local\/ns\/demo\/sa\/echo/);
  const certs = await get(nodeNs, '127.0.0.1', 15000, '/certs');
  assert.match(certs.body, /spiffe:\/\/cluster.local\/ns\/demo\/sa\/echo/);
  assert.doesNotMatch(certs.body, /PRIVATE KEY/);
  const metrics = await get(nodeNs, '127.0.0.1', 15020, '/stats/prometheus');
  assert.equal(metrics.status, 200);
  assert.match(metrics.body, /istio_tcp_connections_opened_total/);
});

test('the pod reaches its service VIP through HBONE with CA-issued certificates', { skip }, async () => {
  const reply = await until('reply through the mesh', async () => {
    const h = openNetns(podNs);
    try {
      return await new Promise<string>((res, rej) => {
        const s = connectFromNetns(h, { host: VIP, port: 80 });
        let got = '';
        s.on('connect', () => s.write('ping'));
        s.on('data', (d) => {
          got += d;
        });
        s.on('end', () => res(got));
        s.on('error', rej);
        setTimeout(() => rej(new Error('timeout')), 2000);
      });
    } finally {
      h.close();
    }
  });
  assert.equal(reply, 'app got=ping');
  const metrics = await get(nodeNs, '127.0.0.1', 15020, '/stats/prometheus');
  assert.match(
    metrics.body,
    /istio_tcp_connections_opened_total\{reporter="destination".*source_principal="spiffe:\/\/cluster.local\/ns\/demo\/sa\/echo".*connection_security_policy="mutual_tls"/,
  );
});
