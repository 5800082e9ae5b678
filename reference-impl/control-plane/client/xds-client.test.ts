/**
 * @module reference-impl/control-plane/client/xds-client.test
 * The delta xDS client against a real control-plane gRPC server on loopback: snapshot, update,
 * removal, NACK keeping the previous version, restart and resume.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../../core/logger.ts';
import { type Address, TYPE_URL_ADDRESS, TYPE_URL_AUTHORIZATION } from '../../api/workload.ts';
import { type Serving, startServing } from '../server/serving.ts';
import { testService, testWorkload } from './test-fixtures.ts';
import { createXdsClient, type XdsClient } from './xds-client.ts';

const tokens = new Map([['tok-a', 'node-a']]);
let cp: Serving;

const serve = (port = 0, prev?: Serving) =>
  startServing({
    host: '127.0.0.1',
    port,
    trustDomain: 'cluster.local',
    nodeTokens: tokens,
    certTtlSeconds: 3600,
    identityOnNode: () => true,
    logger: silentLogger,
    ca: prev?.ca,
    store: prev?.store,
  });

const addresses = (entries: Address[]) =>
  new Map(
    entries.map((a) => [
      'workload' in a ? a.workload.uid : `${a.service.namespace}/${a.service.hostname}`,
      a,
    ]),
  );

function until(client: XdsClient, pred: () => boolean, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pred()) return resolve();
    const t = setTimeout(() => reject(new Error('condition not reached')), timeoutMs);
    const check = () => {
      if (pred()) {
        clearTimeout(t);
        client.off('change', check);
        resolve();
      }
    };
    client.on('change', check);
  });
}

before(async () => {
  cp = await serve();
});
after(async () => {
  await cp.close(0);
});

test('client receives the snapshot, an update within budget, then a removal', async () => {
  const w1 = testWorkload('a', '10.0.0.1');
  const svc = testService('echo', '10.96.0.10');
  cp.store.replaceType(TYPE_URL_ADDRESS, addresses([{ workload: w1 }, { service: svc }]));
  const client = createXdsClient({
    address: `127.0.0.1:${cp.port}`,
    rootCertPem: cp.ca.rootCertPem,
    token: 'tok-a',
    node: 'ztunnel~node-a',
  });
  try {
    await client.waitSynced();
    assert.deepEqual(client.workloads.get(w1.uid), w1);
    assert.deepEqual(client.services.get('default/echo.default.svc.cluster.local'), svc);

    const w1b = { ...w1, status: 'UNHEALTHY' as const };
    const t0 = performance.now();
    const changed = until(client, () => client.workloads.get(w1.uid)?.status === 'UNHEALTHY');
    cp.store.replaceType(TYPE_URL_ADDRESS, addresses([{ workload: w1b }, { service: svc }]));
    await changed;
    assert.ok(performance.now() - t0 < 100, 'update arrives within 100 ms');

    const removed = until(client, () => !client.workloads.has(w1.uid));
    cp.store.replaceType(TYPE_URL_ADDRESS, addresses([{ service: svc }]));
    await removed;
    assert.equal(client.services.size, 1);
  } finally {
    client.close();
  }
});

test('a NACKed update keeps the previous version on the client and is recorded by the server', async () => {
  const w = testWorkload('n', '10.0.0.9');
  cp.store.replaceType(TYPE_URL_ADDRESS, addresses([{ workload: w }]));
  const client = createXdsClient({
    address: `127.0.0.1:${cp.port}`,
    rootCertPem: cp.ca.rootCertPem,
    token: 'tok-a',
    node: 'ztunnel~node-a',
    validate: (_t, _n, v) =>
      'workload' in (v as object) && (v as { workload: { node: string } }).workload.node === 'bad'
        ? 'node is bad'
        : undefined,
  });
  try {
    await client.waitSynced();
    const nacked = new Promise<string>((resolve) => client.once('nack', (e) => resolve(e.message)));
    cp.store.replaceType(TYPE_URL_ADDRESS, addresses([{ workload: { ...w, node: 'bad' } }]));
    assert.match(await nacked, /node is bad/);
    assert.equal(client.workloads.get(w.uid)?.node, 'node-a');
    await new Promise((r) => setTimeout(r, 50));
    const st = cp.xds.status().find((s) => s.nodeId === 'ztunnel~node-a');
    const addr = st?.types.find((t) => t.typeUrl === TYPE_URL_ADDRESS);
    assert.equal(addr?.nacks, 1);
    // A later good version flows again.
    const ok = until(client, () => client.workloads.get(w.uid)?.node === 'node-c');
    cp.store.replaceType(TYPE_URL_ADDRESS, addresses([{ workload: { ...w, node: 'node-c' } }]));
    await ok;
  } finally {
    client.close();
  }
});

test('an unknown token is refused', async () => {
  const client = createXdsClient({
    address: `127.0.0.1:${cp.port}`,
    rootCertPem: cp.ca.rootCertPem,
    token: 'nope',
    node: 'x',
    backoff: { initialMs: 10_000 },
  });
  try {
    await assert.rejects(client.waitSynced(500));
    assert.equal(client.connected, false);
  } finally {
    client.close();
  }
});

test('control plane restart: the client keeps serving, reconnects, resumes and converges', async () => {
  const wa = testWorkload('r1', '10.0.1.1');
  const wb = testWorkload('r2', '10.0.1.2');
  cp.store.replaceType(TYPE_URL_ADDRESS, addresses([{ workload: wa }, { workload: wb }]));
  cp.store.replaceType(TYPE_URL_AUTHORIZATION, new Map());
  const client = createXdsClient({
    address: `127.0.0.1:${cp.port}`,
    rootCertPem: cp.ca.rootCertPem,
    token: 'tok-a',
    node: 'ztunnel~node-a',
    backoff: { initialMs: 50, maxMs: 200 },
  });
  try {
    await client.waitSynced();
    const port = cp.port;
    const disconnected = new Promise((r) => client.once('disconnected', r));
    await cp.close(0);
    await disconnected;
    assert.equal(client.workloads.size, 2, 'last config still served while disconnected');
    // While down, r2 goes away and r3 arrives.
    const wc = testWorkload('r3', '10.0.1.3');
    cp.store.replaceType(TYPE_URL_ADDRESS, addresses([{ workload: wa }, { workload: wc }]));
    cp = await serve(port, cp);
    const reSynced = new Promise<void>((r) => client.once('synced', () => r()));
    await reSynced;
    await until(client, () => client.workloads.has(wc.uid) && !client.workloads.has(wb.uid));
    assert.deepEqual([...client.workloads.keys()].sort(), [wa.uid, wc.uid].sort());
  } finally {
    client.close();
  }
});
