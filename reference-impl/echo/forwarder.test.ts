/** @module reference-impl/echo/forwarder.test — budget and cancellation of a forward, in-process. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseForwardRequest } from './forward-request.ts';
import { runForward } from './forwarder.ts';
import { startTestEcho, type TestEcho } from './test-helpers.ts';

let t: TestEcho;
before(async () => {
  t = await startTestEcho({ ports: [{ protocol: 'http', port: 0 }] });
});
after(() => t.close());

test('calls not started within the total budget become EDEADLINE outcomes', async () => {
  const plan = parseForwardRequest({ url: `http://127.0.0.1:${t.port('http')}/?delay=60ms`, count: 6 });
  const outcomes = await runForward(plan, { maxTotalMs: 150 });
  assert.equal(outcomes.length, 6);
  assert.equal(outcomes[0]!.ok, true, 'the first call always starts');
  assert.equal(outcomes[5]!.error?.code, 'EDEADLINE');
  const firstSkipped = outcomes.findIndex((o) => o.error?.code === 'EDEADLINE');
  assert.ok(outcomes.slice(firstSkipped).every((o) => o.error?.code === 'EDEADLINE' && o.latencyMs === 0));
  assert.ok(outcomes.slice(0, firstSkipped).every((o) => o.ok));
});

test('a cancelled forward stops calling and says so', async () => {
  const plan = parseForwardRequest({ url: `http://127.0.0.1:${t.port('http')}/?delay=2s`, count: 3 });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const start = performance.now();
  const outcomes = await runForward(plan, { signal: controller.signal });
  assert.ok(performance.now() - start < 1900, 'the in-flight 2 s call was cut short');
  assert.deepEqual(
    outcomes.map((o) => o.error?.code),
    ['ECANCELED', 'ECANCELED', 'ECANCELED'],
  );
});

test('bodies are truncated to 64 KiB while fields stay parsed', async () => {
  const big = 'x'.repeat(100 * 1024);
  const plan = parseForwardRequest({ url: `http://127.0.0.1:${t.port('http')}/`, method: 'POST', body: big });
  const [o] = await runForward(plan);
  assert.equal(o!.ok, true);
  assert.equal(Buffer.byteLength(o!.body), 64 * 1024);
  assert.deepEqual(o!.fields.Hostname, ['echo-pod-1']);
});
