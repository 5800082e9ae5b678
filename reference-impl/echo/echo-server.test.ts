/** @module reference-impl/echo/echo-server.test — start-up and graceful close, in-process. */
import assert from 'node:assert/strict';
import { Agent, get } from 'node:http';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { hasCode } from '../../core/errors.ts';
import { startTestEcho } from './test-helpers.ts';

test('close() lets an in-flight request finish and closes idle keep-alive connections', async () => {
  const t = await startTestEcho({ ports: [{ protocol: 'http', port: 0 }] });
  const agent = new Agent({ keepAlive: true });
  const call = (path: string) =>
    new Promise<number>((resolve, reject) => {
      get({ host: '127.0.0.1', port: t.port('http'), path, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }).on('error', reject);
    });
  try {
    assert.equal(await call('/idle'), 200);
    const inflight = call('/slow?delay=300ms');
    await new Promise((r) => setTimeout(r, 50));
    const start = performance.now();
    await t.echo.close(5_000);
    assert.equal(await inflight, 200);
    assert.ok(performance.now() - start < 2_000, 'did not wait for the grace period');
  } finally {
    agent.destroy();
  }
});

test('a port in use fails start-up with E_ECHO_LISTEN and leaves nothing bound', async () => {
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  const held = (holder.address() as { port: number }).port;
  try {
    await assert.rejects(
      startTestEcho({ ports: [{ protocol: 'tcp', port: 0 }], controlPort: held }),
      (e) => hasCode(e, 'E_ECHO_LISTEN') && /control-port/.test(e.message) && e.details.port === held,
    );
  } finally {
    holder.close();
  }
});
