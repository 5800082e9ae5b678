/**
 * In-process outbound tests on loopback: connect retry on another endpoint with outlier ejection,
 * connect timeout, circuit breaking on max connections, and the connection-rate limit.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { Registry } from 'prom-client';
import { silentLogger } from '../../../core/logger.ts';
import { defaultConfig } from '../config.ts';
import type { HbonePool } from '../hbone/pool.ts';
import { createCertificateManager } from '../identity/certificates.ts';
import { createTestCa } from '../identity/test-ca.ts';
import { createWorkloadStore } from '../state/workload-store.ts';
import { createConnectionTelemetry } from '../telemetry/connection-telemetry.ts';
import { loopbackPool, startEcho, startInbound, workload } from '../testing/fixtures.ts';
import { connectTcp } from './connect-tcp.ts';
import { createConnectionLimits } from './connection-limits.ts';
import { createConnectionTracker } from './connection-tracker.ts';
import { createEndpointHealth } from './endpoint-health.ts';
import type { PodContext, ProxyInputs } from './inputs.ts';
import { handleOutbound } from './outbound.ts';

let echo: Awaited<ReturnType<typeof startEcho>>;
const store = createWorkloadStore();
const registry = new Registry();
const telemetry = createConnectionTelemetry(registry, silentLogger);
const SVC = 'ns/svc.ns.svc.cluster.local';

before(async () => {
  echo = await startEcho('127.0.0.1');
  for (const [uid, ip] of [
    ['dead', '127.0.0.2'],
    ['alive', '127.0.0.1'],
  ] as const) {
    store.upsertWorkload(
      workload({
        uid,
        addresses: [ip],
        tunnelProtocol: 'NONE',
        services: { [SVC]: [{ servicePort: 80, targetPort: echo.port }] },
      }),
    );
  }
  store.upsertService({
    name: 'svc',
    namespace: 'ns',
    hostname: 'svc.ns.svc.cluster.local',
    addresses: [{ network: '', address: '127.0.0.100' }],
    ports: [{ servicePort: 80, targetPort: echo.port }],
    subjectAltNames: [],
  });
});
after(() => echo.close());

function setup(dst: { address: string; port: number }, limits?: ReturnType<typeof createConnectionLimits>) {
  const inputs: ProxyInputs = {
    config: { ...defaultConfig, connectTimeoutMs: 1000 },
    state: store,
    certs: createCertificateManager(
      { fetchCertificate: () => Promise.reject(new Error('no certs')) },
      silentLogger,
    ),
    pool: undefined as unknown as HbonePool,
    telemetry,
    tracker: createConnectionTracker(),
    health: createEndpointHealth(),
    logger: silentLogger,
  };
  const pod: PodContext = {
    uid: 'client',
    name: 'client',
    namespace: 'ns',
    ips: ['127.0.0.9'],
    serviceAccount: 'default',
    identity: 'spiffe://cluster.local/ns/ns/sa/default',
    workload: () => workload({ uid: 'client', addresses: ['127.0.0.9'] }),
    dial: (ip, port) => net.connect(port, ip),
    originalDestination: () => dst,
    limits,
  };
  const server = net.createServer((s) => handleOutbound(inputs, pod, s));
  return { inputs, server };
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

function talk(port: number, msg: string, hold = false): Promise<{ reply: string; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.on('connect', () => s.write(msg));
    s.on('data', (d) => {
      got += d;
      if (got.length >= msg.length) {
        if (!hold) s.destroy();
        resolve({ reply: got, socket: s });
      }
    });
    s.on('error', reject);
    s.on('close', () => reject(new Error('closed')));
    setTimeout(() => reject(new Error('timeout')), 3000);
  });
}

test('connect retry: a dead endpoint is retried on another and ejected (outlier detection)', async () => {
  const { inputs, server } = setup({ address: '127.0.0.100', port: 80 });
  const port = await listen(server);
  for (let i = 0; i < 20; i++) assert.equal((await talk(port, `m${i}`)).reply, `m${i}`);
  assert.deepEqual(inputs.health.ejected(), [`127.0.0.2:${echo.port}`]);
  server.close();
});

test('connect timeout: a connect that never completes fails after the deadline', async () => {
  const t0 = Date.now();
  await assert.rejects(
    connectTcp(() => new net.Socket(), '127.0.0.1', 1, 200),
    /timed out/,
  );
  assert.ok(Date.now() - t0 < 1000);
});

test('circuit breaker: connections over maxConnections are refused, capacity returns on close', async () => {
  const limits = createConnectionLimits({ maxConnections: 2, connectsPerSecond: 0, burst: 0 });
  const { server } = setup({ address: '127.0.0.1', port: echo.port }, limits);
  const port = await listen(server);
  const a = await talk(port, 'a', true);
  const b = await talk(port, 'b', true);
  await assert.rejects(talk(port, 'c'));
  a.socket.destroy();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await talk(port, 'd')).reply, 'd');
  b.socket.destroy();
  server.close();
  assert.match(await registry.metrics(), /response_flags="UO"/);
});

test('rate limit: connection establishment over the rate is refused', async () => {
  const limits = createConnectionLimits({ maxConnections: 0, connectsPerSecond: 5, burst: 5 });
  const { server } = setup({ address: '127.0.0.1', port: echo.port }, limits);
  const port = await listen(server);
  const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => talk(port, `r${i}`)));
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  assert.ok(ok >= 5 && ok <= 7, `expected about 5 admitted, got ${ok}`);
  server.close();
  assert.match(await registry.metrics(), /response_flags="RL"/);
});

test('bulk echo over HBONE: 64 KiB round trips are not stalled by Nagle + delayed ACK (TCP_NODELAY)', async () => {
  // HBONE delivers ≤16 KiB DATA frames; without TCP_NODELAY on the accepted socket the tail of each
  // 64 KiB reply waits for the client's delayed ACK (≥ 40 ms on Linux) on every round trip.
  const ca = await createTestCa();
  const hboneStore = createWorkloadStore();
  hboneStore.upsertWorkload(
    workload({ uid: 'server', addresses: ['127.0.0.1'], namespace: 'server-ns', serviceAccount: 'server' }),
  );
  const inbound = await startInbound({
    ca,
    store: hboneStore,
    namespace: 'server-ns',
    serviceAccount: 'server',
  });
  const pool = loopbackPool(ca);
  const { inputs, server } = setup({ address: '127.0.0.1', port: echo.port });
  Object.assign(inputs, {
    state: hboneStore,
    pool,
    config: { ...inputs.config, ports: { ...inputs.config.ports, hbone: inbound.port } },
  });
  const port = await listen(server);
  const s = net.connect(port, '127.0.0.1');
  s.setNoDelay(true);
  await new Promise((r) => s.once('connect', r));
  const payload = Buffer.alloc(64 * 1024, 1);
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      let got = 0;
      const on = (d: Buffer) => {
        got += d.length;
        if (got >= payload.length) {
          s.off('data', on);
          resolve();
        }
      };
      s.on('data', on);
      s.write(payload);
    });
    times.push(performance.now() - t0);
  }
  s.destroy();
  server.close();
  pool.close();
  await inbound.close();
  times.sort((a, b) => a - b);
  // Not a performance goal: a Nagle/delayed-ACK stall costs ≥ 40 ms per echo; healthy is < 1 ms.
  assert.ok(times[4]! < 30, `median 64 KiB round trip ${times[4]!.toFixed(1)} ms (Nagle stall?)`);
});
