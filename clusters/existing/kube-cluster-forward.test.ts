/**
 * @module clusters/existing/kube-cluster-forward.test
 * `call`, `podHttp` and `logs` through the API server's port-forward and log endpoints. The API
 * server is the fake on 127.0.0.1; what the port-forward reaches is a real echo app on loopback,
 * so the call really travels: client-node PortForward → WebSocket → echo forward API → echo HTTP.
 * Exec runs its argv as a real process behind the fake server's exec endpoint.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hasCode } from '../../core/errors.ts';
import { type EchoInstance, parseEchoArgs, startEcho } from '../../reference-impl/echo/index.ts';
import { type FakeApiServer, startFakeApiServer } from './fake-api-server.ts';
import { ECHO_FORWARD_PORT } from './forward-call.ts';
import { connectKubeCluster, type KubeCluster } from './kube-cluster.ts';

let echo: EchoInstance;
let api: FakeApiServer;
let cluster: KubeCluster;
const client = { namespace: 'demo', name: 'client' };

before(async () => {
  echo = await startEcho(
    parseEchoArgs(['--http', '0', '--control-port', '0', '--bind', '127.0.0.1', '--version', 'v9'], {
      POD_NAME: 'client',
      POD_NAMESPACE: 'demo',
    }),
  );
  api = await startFakeApiServer({
    hostExec: true,
    portForwardTarget: (ns, pod, port) => {
      if (ns !== 'demo' || pod !== 'client') return undefined;
      if (port === ECHO_FORWARD_PORT) return echo.port('control');
      if (port === 8080) return echo.port('http');
      return undefined;
    },
  });
  api.put({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'client', namespace: 'demo' },
    spec: { containers: [{ name: 'echo', image: 'meshbench/echo' }] },
  });
  cluster = await connectKubeCluster({ name: 'fake', provider: 'existing', kubeConfig: api.kubeConfig() });
});
after(async () => {
  await api.close();
  await echo.close(0);
});

test('call posts the CallRequest to the echo forward API through a port-forward', async () => {
  const url = `http://127.0.0.1:${echo.port('http')}/hello`;
  const result = await cluster.call(client, { url, count: 3, headers: { 'X-Mb': 'yes' } });
  assert.deepEqual(result.from, client);
  assert.equal(result.outcomes.length, 3);
  for (const o of result.outcomes) {
    assert.equal(o.ok, true, JSON.stringify(o));
    assert.equal(o.status, 200);
    assert.deepEqual(o.fields.Hostname, ['client']);
    assert.deepEqual(o.fields.ServiceVersion, ['v9']);
  }
  assert.ok(
    api.requests.some((r) => r.method === 'UPGRADE' && r.query.get('ports') === String(ECHO_FORWARD_PORT)),
  );
});

test('call outcomes carry transport errors from the echo', async () => {
  const result = await cluster.call(client, { url: 'http://127.0.0.1:1/', count: 1, timeoutMs: 1000 });
  assert.equal(result.outcomes[0]?.ok, false);
  assert.equal(result.outcomes[0]?.error?.code, 'ECONNREFUSED');
});

test('podHttp reaches a port inside the pod', async () => {
  const res = await cluster.podHttp(client, { port: 8080, path: '/' });
  assert.equal(res.status, 200);
  assert.match(res.body, /Hostname=client/);
});

test('a port-forward the server refuses is an error, not a hang', async () => {
  await assert.rejects(
    cluster.podHttp(client, { port: 9999, path: '/', timeoutMs: 3000 }),
    (err) => hasCode(err, 'E_CALL') && /port-forward to demo\/client:9999 failed/.test(err.message),
  );
});

test('logs reads the Log API with a tail', async () => {
  api.setLogs('demo', 'client', 'one\ntwo\nthree\n');
  assert.equal(await cluster.logs(client, { tail: 2 }), 'two\nthree\n');
});

test('exec returns stdout, stderr and the exit code from the V1Status', async () => {
  const r = await cluster.exec(client, ['sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.deepEqual(r, { exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
  assert.equal((await cluster.exec(client, ['true'])).exitCode, 0);
  const exec = api.requests.filter((q) => q.method === 'EXEC').at(-1);
  assert.equal(exec?.query.get('container'), 'echo', 'defaults to the first container');
});

test('exec writes stdin and closes it (v5 close frame)', async () => {
  const r = await cluster.exec(client, ['cat'], { stdin: 'hello\n', timeoutMs: 5000 });
  assert.equal(r.exitCode, 0);
  assert.equal(r.stdout, 'hello\n');
});
