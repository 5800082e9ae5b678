/**
 * In-process outbound tests of the per-service L4 traffic policy on loopback: DestinationRule max
 * connections (per source pod, overflow refused, room returns on close), the EnvoyFilter token
 * bucket, the DestinationRule connect timeout (a dial that never completes), and a weighted tcp
 * route over subsets (every connection lands on the weight-100 subset's endpoint).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { Registry } from 'prom-client';
import { silentLogger } from '../../../core/logger.ts';
import type { L4TrafficPolicy } from '../../api/l4.ts';
import { defaultConfig } from '../config.ts';
import type { HbonePool } from '../hbone/pool.ts';
import { createCertificateManager } from '../identity/certificates.ts';
import { createWorkloadStore } from '../state/workload-store.ts';
import { createConnectionTelemetry } from '../telemetry/connection-telemetry.ts';
import { startEcho, workload } from '../testing/fixtures.ts';
import { createServiceLimits } from './connection-limits.ts';
import { createConnectionTracker } from './connection-tracker.ts';
import { createEndpointHealth } from './endpoint-health.ts';
import type { PodContext, ProxyInputs } from './inputs.ts';
import { handleOutbound } from './outbound.ts';

const SVC = 'ns/svc.ns.svc.cluster.local';
const VIP = '127.0.0.100';
let v1: Awaited<ReturnType<typeof startEcho>>;
let v2: Awaited<ReturnType<typeof startEcho>>;
const store = createWorkloadStore();

before(async () => {
  v1 = await startEcho('127.0.0.1');
  v2 = await startEcho('127.0.0.1');
  // Two endpoints, v1 at 127.0.0.1 and v2 at 127.0.0.3, each its own echo port; the pod dials
  // every address on 127.0.0.1 (the port tells them apart).
  for (const [uid, ip, port] of [
    ['v1', '127.0.0.1', v1.port],
    ['v2', '127.0.0.3', 0],
  ] as const) {
    store.upsertWorkload(
      workload({
        uid,
        addresses: [ip],
        tunnelProtocol: 'NONE',
        services: { [SVC]: [{ servicePort: 80, targetPort: port || v2.port }] },
      }),
    );
  }
  store.upsertService({
    name: 'svc',
    namespace: 'ns',
    hostname: 'svc.ns.svc.cluster.local',
    addresses: [{ network: '', address: VIP }],
    ports: [{ servicePort: 80, targetPort: v1.port }],
    subjectAltNames: [],
  });
});
after(() => {
  v1.close();
  v2.close();
});

const policy = (p: Partial<L4TrafficPolicy>): L4TrafficPolicy => ({
  service: SVC,
  sources: [],
  routes: [],
  ...p,
});

/** An outbound listener for one pod whose captured connections all went to VIP:80. */
async function outbound(dial: PodContext['dial'] = (_ip, port) => net.connect(port, '127.0.0.1')) {
  const inputs: ProxyInputs = {
    config: { ...defaultConfig, connectTimeoutMs: 5000, connectRetries: 0 },
    state: store,
    certs: createCertificateManager(
      { fetchCertificate: () => Promise.reject(new Error('none')) },
      silentLogger,
    ),
    pool: undefined as unknown as HbonePool,
    telemetry: createConnectionTelemetry(new Registry(), silentLogger),
    tracker: createConnectionTracker(),
    health: createEndpointHealth(),
    serviceLimits: createServiceLimits(),
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
    dial,
    originalDestination: () => ({ address: VIP, port: 80 }),
  };
  const server = net.createServer((s) => handleOutbound(inputs, pod, s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as net.AddressInfo).port };
}

/** Sends `msg`; resolves with the echoed reply (socket kept open when `hold`), or '' if closed first. */
function talk(
  port: number,
  msg: string,
  hold = false,
): Promise<{ reply: string; socket: net.Socket; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const done = () => resolve({ reply: got, socket: s, ms: Date.now() - t0 });
    s.on('connect', () => s.write(msg));
    s.on('data', (d) => {
      got += d;
      if (got.length >= msg.length) {
        if (!hold) s.destroy();
        done();
      }
    });
    s.on('error', () => {});
    s.on('close', done);
  });
}

test('maxConnections: overflow refused while a connection is open, room returns on close', async () => {
  store.upsertTrafficPolicy(policy({ maxConnections: 1 }));
  const { server, port } = await outbound();
  const held = await talk(port, 'one', true);
  assert.equal(held.reply, 'one');
  assert.equal((await talk(port, 'two')).reply, '', 'second concurrent connection refused');
  held.socket.destroy();
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await talk(port, 'three')).reply, 'three');
  server.close();
  store.removeTrafficPolicy(SVC);
});

test('connection rate limit: the token bucket refuses connections beyond max_tokens', async () => {
  store.upsertTrafficPolicy(
    policy({ connectionRateLimit: { maxTokens: 2, tokensPerFill: 2, fillIntervalMs: 60_000 } }),
  );
  const { server, port } = await outbound();
  const replies = [];
  for (let i = 0; i < 5; i++) replies.push((await talk(port, `r${i}`)).reply);
  assert.deepEqual(replies, ['r0', 'r1', '', '', '']);
  server.close();
  store.removeTrafficPolicy(SVC);
});

test('connect timeout from the policy bounds a connect that never completes', async () => {
  const never = () => new net.Socket(); // never connects
  const { server, port } = await outbound(never);
  store.upsertTrafficPolicy(policy({ connectTimeoutMs: 150 }));
  const short = await talk(port, 'x');
  assert.equal(short.reply, '');
  assert.ok(short.ms < 1500, `failed after ${short.ms} ms (policy 150 ms, default 5000 ms)`);
  store.removeTrafficPolicy(SVC);
  server.close();
});

test('tcp route with weights over subsets: every connection goes to the weight-100 subset', async () => {
  store.upsertTrafficPolicy(
    policy({
      routes: [
        {
          name: 'VirtualService/ns/shift#0',
          ports: [80],
          backends: [
            { service: SVC, subset: 'v1', workloads: ['v1'], weight: 0 },
            { service: SVC, subset: 'v2', workloads: ['v2'], weight: 100 },
          ],
        },
      ],
    }),
  );
  const seen: string[] = [];
  const { server, port } = await outbound((ip, p) => {
    seen.push(`${ip}:${p}`);
    return net.connect(p, '127.0.0.1');
  });
  for (let i = 0; i < 10; i++) assert.equal((await talk(port, `s${i}`)).reply, `s${i}`);
  assert.deepEqual(new Set(seen), new Set([`127.0.0.3:${v2.port}`]));
  server.close();
  store.removeTrafficPolicy(SVC);
});
