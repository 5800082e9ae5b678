/**
 * Fuzz tests of every ztunnel listener (15008 HBONE, 15080 SOCKS5, 15053 DNS, 15001 outbound, 15006
 * inbound plaintext), in-process on loopback (no root), bounded in count and time; the runs are in
 * `testing/fuzz-listeners.ts`. Every input must get its documented answer or a closed connection,
 * the listener must still serve a valid input after the run, and nothing may be left open: no
 * accepted socket, no HBONE connection, no tracked proxied connection, no extra handle in the process.
 * `MESHBENCH_FUZZ_INPUTS` sets the inputs per listener (default 500, a few seconds);
 * `npm run fuzz:ztunnel` runs 100,000 per listener and reports counts, time and memory.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { leakedHandles, type ProcessSnapshot, settle, snapshot } from './testing/fuzz-drive.ts';
import {
  type FuzzLab,
  fuzzCaptured,
  fuzzDns,
  fuzzHbone,
  fuzzSocks5,
  startFuzzLab,
} from './testing/fuzz-listeners.ts';

const N = Number(process.env.MESHBENCH_FUZZ_INPUTS ?? 500);
let lab: FuzzLab;
let start: ProcessSnapshot;

before(async () => {
  lab = await startFuzzLab();
  start = snapshot();
});
after(async () => {
  await lab.close();
});

test(`HBONE listener: ${N} generated inputs (raw TCP/TLS, HTTP/2 frames after mTLS, CONNECT headers)`, {
  timeout: 600_000,
}, async (t) => {
  const r = await fuzzHbone(lab, N);
  t.diagnostic(`${r.listener}: ${r.inputs} inputs in ${r.ms} ms ${JSON.stringify(r.outcomes)}`);
  assert.deepEqual(r.problems, []);
  assert.ok(r.inputs >= N);
  for (const status of ['200', '400', '503'])
    assert.ok((r.outcomes[`stream:${status}`] ?? 0) > 0, `some stream answered ${status}`);
  const metrics = await lab.inbound.registry.metrics();
  assert.match(metrics, /ztunnel_rejected_connections_total\{listener="hbone",reason="tls"\}/);
});

test(`SOCKS5: ${N} generated handshakes through the parser and ${N} over the listener`, {
  timeout: 600_000,
}, async (t) => {
  const [parser, wire] = await fuzzSocks5(lab, N);
  for (const r of [parser!, wire!])
    t.diagnostic(`${r.listener}: ${r.inputs} inputs in ${r.ms} ms ${JSON.stringify(r.outcomes)}`);
  assert.deepEqual(wire!.problems, []);
  assert.equal(wire!.inputs, N);
  for (const answer of ['reply-0/answered', 'reply-4/answered', 'no-method/answered'])
    assert.ok((wire!.outcomes[answer] ?? 0) > 0, `some handshake got ${answer}`);
});

test(`DNS proxy: ${N} generated queries (UDP datagrams and TCP messages)`, {
  timeout: 600_000,
}, async (t) => {
  const r = await fuzzDns(lab, N);
  t.diagnostic(`${r.listener}: ${r.inputs} inputs in ${r.ms} ms ${JSON.stringify(r.outcomes)}`);
  assert.deepEqual(r.problems, []);
  assert.ok((r.outcomes['udp:answered'] ?? 0) > 0);
});

for (const listener of ['outbound', 'inbound-plaintext'] as const) {
  test(`${listener} listener: ${N} generated connection behaviours`, { timeout: 600_000 }, async (t) => {
    const r = await fuzzCaptured(lab, listener, N);
    t.diagnostic(`${r.listener}: ${r.inputs} inputs in ${r.ms} ms ${JSON.stringify(r.outcomes)}`);
    assert.deepEqual(r.problems, []);
    assert.equal(r.inputs, N);
  });
}

test('after all runs the process holds no socket or server handle it did not hold before', async () => {
  let leaked: Record<string, number> = {};
  await settle(() => {
    leaked = leakedHandles(start, snapshot());
    return Object.keys(leaked).length === 0;
  }, 3000);
  assert.deepEqual(leaked, {});
});
