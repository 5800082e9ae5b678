/** @module reference-impl/echo/echo-servers.test — every data listener over real sockets on 127.0.0.1. */
import assert from 'node:assert/strict';
import { connect as h2connect } from 'node:http2';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { ECHO_METHOD_PATH, echoRequestCodec, echoResponseCodec } from './echo-proto.ts';
import { headerValues, parseEchoFields } from './response-format.ts';
import { httpCall, startTestEcho, type TestEcho } from './test-helpers.ts';

let t: TestEcho;
before(async () => {
  t = await startTestEcho();
});
after(() => t.close());

test('HTTP/1.1: fields reflect method, URL, headers, caller and workload', async () => {
  const port = t.port('http');
  const res = await httpCall(port, '/hello?x=1', {
    method: 'POST',
    headers: { 'x-user': 'alice', host: 'svc.echo-ns:80' },
    body: 'ping\npong',
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/text');
  const f = parseEchoFields(res.body);
  assert.deepEqual(f.StatusCode, ['200']);
  assert.deepEqual(f.Method, ['POST']);
  assert.deepEqual(f.URL, ['/hello?x=1']);
  assert.deepEqual(f.Proto, ['HTTP/1.1']);
  assert.deepEqual(f.Host, ['svc.echo-ns:80']);
  assert.deepEqual(f.IP, ['127.0.0.1']);
  assert.deepEqual(f.ServicePort, [String(port)]);
  assert.deepEqual(f.ServiceVersion, ['v1']);
  assert.deepEqual(f.Hostname, ['echo-pod-1']);
  assert.deepEqual(f.Namespace, ['echo-ns']);
  assert.deepEqual(f.Cluster, ['test-cluster']);
  assert.deepEqual(f.Alpn, ['']);
  assert.deepEqual(f.Echo, ['ping', 'pong']);
  assert.deepEqual(headerValues(f, 'RequestHeader', 'X-User'), ['alice']);
  assert.ok(f.RequestHeader?.includes('X-User:alice'), 'keys printed in Go canonical form');
  assert.deepEqual(headerValues(f, 'RequestHeader', 'host'), [], 'Host is a field, not a header (as in Go)');
});

test('h2c with prior knowledge on the same port', async () => {
  const session = h2connect(`http://127.0.0.1:${t.port('http')}`);
  try {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const s = session.request({ ':path': '/h2?x=2', 'x-trace': 'abc' });
      let status = 0;
      let body = '';
      s.on('response', (h) => {
        status = Number(h[':status']);
      });
      s.setEncoding('utf8');
      s.on('data', (c: string) => {
        body += c;
      });
      s.on('end', () => resolve({ status, body }));
      s.on('error', reject);
      s.end();
    });
    assert.equal(status, 200);
    const f = parseEchoFields(body);
    assert.deepEqual(f.Proto, ['HTTP/2.0']);
    assert.deepEqual(f.URL, ['/h2?x=2']);
    assert.deepEqual(f.Host, [`127.0.0.1:${t.port('http')}`]);
    assert.deepEqual(headerValues(f, 'RequestHeader', 'x-trace'), ['abc']);
  } finally {
    session.close();
  }
});

test('controls: status, codes, response headers, delay, failFirst per path', async () => {
  const port = t.port('http');
  assert.equal((await httpCall(port, '/s?status=503')).status, 503);
  assert.equal((await httpCall(port, '/s?codes=418:1')).status, 418);
  const h = await httpCall(port, '/s?headers=X-Custom:yes');
  assert.equal(h.headers['x-custom'], 'yes');
  const start = performance.now();
  const d = await httpCall(port, '/s?delay=150ms');
  assert.equal(d.status, 200);
  assert.ok(performance.now() - start >= 140, 'delay honoured');
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) statuses.push((await httpCall(port, '/retry-a?failFirst=2')).status);
  assert.deepEqual(statuses, [503, 503, 200]);
  assert.equal(
    (await httpCall(port, '/retry-b?failFirst=1&failCode=502')).status,
    502,
    'another path counts apart',
  );
  const bad = await httpCall(port, '/s?status=abc');
  assert.equal(bad.status, 400);
  assert.match(bad.body, /status error/);
});

test('TCP: fields on the first bytes, then an echo of everything', async () => {
  const socket = connect(t.port('tcp'), '127.0.0.1');
  let got = '';
  socket.setEncoding('utf8');
  socket.on('data', (c: string) => {
    got += c;
  });
  await new Promise((r) => socket.once('connect', r));
  socket.write('first\n');
  await waitUntil(() => got.endsWith('first\n'));
  socket.write('second\n');
  await waitUntil(() => got.endsWith('second\n'));
  socket.end();
  await new Promise((r) => socket.once('close', r));
  const f = parseEchoFields(got);
  assert.deepEqual(f.StatusCode, ['200']);
  assert.deepEqual(f.Proto, ['TCP']);
  assert.deepEqual(f.ServicePort, [String(t.port('tcp'))]);
  assert.deepEqual(f.Hostname, ['echo-pod-1']);
  assert.deepEqual(f.IP, ['127.0.0.1']);
  assert.ok(got.endsWith('first\nsecond\n'));
  assert.equal(got.match(/StatusCode=/g)?.length, 1, 'fields written once per connection');
});

test('server-first: the banner arrives before the client writes anything', async () => {
  const socket = connect(t.port('server-first'), '127.0.0.1');
  socket.setEncoding('utf8');
  const banner = await new Promise<string>((resolve) => socket.once('data', resolve));
  assert.equal(banner, 'ServerFirst=echo-pod-1\n');
  let got = '';
  socket.on('data', (c: string) => {
    got += c;
  });
  socket.write('hi\n');
  await waitUntil(() => got.endsWith('hi\n'));
  socket.destroy();
  assert.deepEqual(parseEchoFields(got).StatusCode, ['200']);
});

test('gRPC: proto.EchoTestService/Echo answered to a @grpc/grpc-js client', async () => {
  const Client = grpc.makeGenericClientConstructor(
    {
      Echo: {
        path: ECHO_METHOD_PATH,
        requestStream: false,
        responseStream: false,
        requestSerialize: echoRequestCodec.encode,
        requestDeserialize: echoRequestCodec.decode,
        responseSerialize: echoResponseCodec.encode,
        responseDeserialize: echoResponseCodec.decode,
      },
    },
    'EchoTestService',
  );
  const client = new Client(`127.0.0.1:${t.port('grpc')}`, grpc.credentials.createInsecure());
  try {
    const md = new grpc.Metadata();
    md.set('x-user', 'bob');
    const reply = await new Promise<{ message: string }>((resolve, reject) => {
      (client as unknown as Record<string, (...a: unknown[]) => void>).Echo!(
        { message: 'hello grpc' },
        md,
        (err: Error | null, res: { message: string }) => (err ? reject(err) : resolve(res)),
      );
    });
    const f = parseEchoFields(reply.message);
    assert.deepEqual(f.Proto, ['GRPC']);
    assert.deepEqual(f.Echo, ['hello grpc']);
    assert.deepEqual(f.StatusCode, ['200']);
    assert.deepEqual(f.ServicePort, [String(t.port('grpc'))]);
    assert.deepEqual(f.IP, ['127.0.0.1']);
    assert.deepEqual(f.Host, [`127.0.0.1:${t.port('grpc')}`]);
    assert.deepEqual(headerValues(f, 'RequestHeader', 'x-user'), ['bob']);
  } finally {
    client.close();
  }
});

async function waitUntil(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
