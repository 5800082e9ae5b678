/** @module reference-impl/echo/forward-api.test — the control port's forward API, every scheme, over 127.0.0.1. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { headerValues } from './response-format.ts';
import {
  closedPort,
  forward,
  forwardRaw,
  httpCall,
  startTestEcho,
  startTestSocks5,
  type TestEcho,
} from './test-helpers.ts';

let t: TestEcho;
before(async () => {
  t = await startTestEcho();
});
after(() => t.close());

const distinct = (xs: number[] | undefined) => new Set(xs ?? []).size;

test('GET /healthz answers 200', async () => {
  const res = await httpCall(t.port('control'), '/healthz');
  assert.equal(res.status, 200);
});

test('http:// carries method, headers and body; outcome has status, fields, response headers', async () => {
  const { outcomes } = await forward(t.port('control'), {
    url: `http://127.0.0.1:${t.port('http')}/path?headers=X-Reply:1`,
    method: 'PUT',
    headers: { 'x-user': 'alice', host: 'reviews.default:9080' },
    body: 'payload',
  });
  assert.equal(outcomes.length, 1);
  const o = outcomes[0]!;
  assert.equal(o.index, 0);
  assert.equal(o.ok, true);
  assert.equal(o.status, 200);
  assert.equal(o.error, undefined);
  assert.ok(o.latencyMs > 0);
  assert.deepEqual(o.fields.Method, ['PUT']);
  assert.deepEqual(o.fields.Proto, ['HTTP/1.1']);
  assert.deepEqual(o.fields.Host, ['reviews.default:9080']);
  assert.deepEqual(o.fields.Echo, ['payload']);
  assert.deepEqual(headerValues(o.fields, 'RequestHeader', 'x-user'), ['alice']);
  assert.deepEqual(headerValues(o.fields, 'ResponseHeader', 'x-reply'), ['1']);
  assert.match(o.body, /^StatusCode=200\n/);
});

test('h2c:// speaks HTTP/2 with prior knowledge', async () => {
  const { outcomes } = await forward(t.port('control'), {
    url: `h2c://127.0.0.1:${t.port('http')}/h2`,
    headers: { 'x-a': 'b' },
  });
  const o = outcomes[0]!;
  assert.equal(o.ok, true, JSON.stringify(o.error));
  assert.deepEqual(o.fields.Proto, ['HTTP/2.0']);
  assert.deepEqual(headerValues(o.fields, 'RequestHeader', 'x-a'), ['b']);
});

test('grpc:// makes the Echo RPC with the body as message and headers as metadata', async () => {
  const { outcomes } = await forward(t.port('control'), {
    url: `grpc://127.0.0.1:${t.port('grpc')}`,
    body: 'hello',
    headers: { 'x-md': 'v' },
    count: 2,
  });
  for (const o of outcomes) {
    assert.equal(o.ok, true, JSON.stringify(o.error));
    assert.equal(o.status, 200);
    assert.deepEqual(o.fields.Proto, ['GRPC']);
    assert.deepEqual(o.fields.Echo, ['hello']);
    assert.deepEqual(headerValues(o.fields, 'RequestHeader', 'x-md'), ['v']);
  }
});

test('tcp:// and server-first:// read the echo back', async () => {
  const tcp = (await forward(t.port('control'), { url: `tcp://127.0.0.1:${t.port('tcp')}`, body: 'msg' }))
    .outcomes[0]!;
  assert.equal(tcp.ok, true, JSON.stringify(tcp.error));
  assert.equal(tcp.status, 0);
  assert.deepEqual(tcp.fields.Proto, ['TCP']);
  assert.ok(tcp.body.endsWith('msg\n'));
  const sf = (await forward(t.port('control'), { url: `server-first://127.0.0.1:${t.port('server-first')}` }))
    .outcomes[0]!;
  assert.equal(sf.ok, true, JSON.stringify(sf.error));
  assert.deepEqual(sf.fields.ServerFirst, ['echo-pod-1']);
  assert.ok(sf.body.startsWith('ServerFirst=echo-pod-1\n'));
  assert.ok(sf.body.endsWith('HelloWorld\n'), "default message is Istio's HelloWorld");
});

test('connection refused is an outcome for every scheme, never an exception', async () => {
  const port = await closedPort();
  for (const scheme of ['http', 'h2c', 'grpc', 'tcp', 'server-first']) {
    const { outcomes } = await forward(t.port('control'), {
      url: `${scheme}://127.0.0.1:${port}/`,
      count: 2,
    });
    assert.equal(outcomes.length, 2);
    for (const o of outcomes) {
      assert.equal(o.ok, false, scheme);
      assert.equal(o.status, 0);
      assert.equal(o.error?.code, 'ECONNREFUSED', `${scheme}: ${JSON.stringify(o.error)}`);
    }
  }
});

test('count with reuse keeps one connection; newConnectionPerRequest opens one per call', async () => {
  const cases: [string, 'http' | 'tcp'][] = [
    [`http://127.0.0.1:${t.port('http')}/`, 'http'],
    [`h2c://127.0.0.1:${t.port('http')}/`, 'http'],
    [`tcp://127.0.0.1:${t.port('tcp')}`, 'tcp'],
  ];
  for (const [url, protocol] of cases) {
    for (const fresh of [false, true]) {
      t.seenPorts.clear();
      const { outcomes } = await forward(t.port('control'), {
        url,
        count: 5,
        newConnectionPerRequest: fresh,
      });
      assert.deepEqual(
        outcomes.map((o) => o.ok),
        [true, true, true, true, true],
        `${url} ${JSON.stringify(outcomes.map((o) => o.error))}`,
      );
      assert.deepEqual(
        outcomes.map((o) => o.index),
        [0, 1, 2, 3, 4],
      );
      assert.equal(distinct(t.seenPorts.get(protocol)), fresh ? 5 : 1, `${url} fresh=${fresh}`);
    }
  }
  t.seenPorts.clear();
  await forward(t.port('control'), { url: `tcp://127.0.0.1:${t.port('tcp')}`, count: 3 });
  assert.equal(distinct(t.seenPorts.get('tcp')), 3, 'TCP defaults to a connection per call, as Istio');
});

test('a retry scenario: failFirst=2 then success; status outcomes are not errors', async () => {
  const { outcomes } = await forward(t.port('control'), {
    url: `http://127.0.0.1:${t.port('http')}/fwd-retry?failFirst=2`,
    count: 3,
  });
  assert.deepEqual(
    outcomes.map((o) => [o.status, o.ok]),
    [
      [503, false],
      [503, false],
      [200, true],
    ],
  );
  assert.equal(outcomes[0]!.error, undefined);
  assert.deepEqual(outcomes[0]!.fields.StatusCode, ['503']);
});

test('per-call timeout gives ETIMEDOUT; intervalMs spaces the calls', async () => {
  const slow = await forward(t.port('control'), {
    url: `http://127.0.0.1:${t.port('http')}/?delay=2s`,
    timeoutMs: 150,
  });
  assert.equal(slow.outcomes[0]!.error?.code, 'ETIMEDOUT');
  assert.ok(slow.outcomes[0]!.latencyMs < 1500);
  const h2 = await forward(t.port('control'), {
    url: `h2c://127.0.0.1:${t.port('http')}/?delay=2s`,
    timeoutMs: 150,
  });
  assert.equal(h2.outcomes[0]!.error?.code, 'ETIMEDOUT');
  const start = performance.now();
  await forward(t.port('control'), { url: `http://127.0.0.1:${t.port('http')}/`, count: 3, intervalMs: 100 });
  assert.ok(performance.now() - start >= 190);
});

test('socks5 routes the connection through the proxy; proxy refusals map to errno codes', async () => {
  const proxy = await startTestSocks5();
  const refusing = await startTestSocks5(5);
  try {
    for (const url of [
      `http://127.0.0.1:${t.port('http')}/via-socks`,
      `h2c://127.0.0.1:${t.port('http')}/via-socks`,
      `grpc://127.0.0.1:${t.port('grpc')}`,
      `tcp://127.0.0.1:${t.port('tcp')}`,
    ]) {
      const { outcomes } = await forward(t.port('control'), { url, socks5: `127.0.0.1:${proxy.port}` });
      assert.equal(outcomes[0]!.ok, true, `${url}: ${JSON.stringify(outcomes[0]!.error)}`);
    }
    assert.equal(proxy.connects.length, 4);
    assert.equal(proxy.connects[0], `127.0.0.1:${t.port('http')}`);
    const { outcomes } = await forward(t.port('control'), {
      url: `http://127.0.0.1:${t.port('http')}/`,
      socks5: `127.0.0.1:${refusing.port}`,
    });
    assert.equal(outcomes[0]!.error?.code, 'ECONNREFUSED', JSON.stringify(outcomes[0]!.error));
    const noProxy = await forward(t.port('control'), {
      url: `tcp://127.0.0.1:${t.port('tcp')}`,
      socks5: `127.0.0.1:${await closedPort()}`,
    });
    assert.equal(
      noProxy.outcomes[0]!.error?.code,
      'ECONNREFUSED',
      JSON.stringify(noProxy.outcomes[0]!.error),
    );
  } finally {
    await proxy.close();
    await refusing.close();
  }
});

test('bad forward requests answer 400 naming the field; other routes 404/405', async () => {
  const control = t.port('control');
  const cases: [string, string | undefined][] = [
    ['not json', undefined],
    ['{"count":1}', 'url'],
    ['{"url":"http://a:1","count":20000}', 'count'],
    ['{"url":"http://a:1","headers":{"x":5}}', 'headers.x'],
    ['{"url":"http://a:1","bogus":true}', 'bogus'],
  ];
  for (const [body, field] of cases) {
    const { status, json } = await forwardRaw(control, body);
    assert.equal(status, 400, body);
    const err = (json as { error: { code: string; field?: string; message: string } }).error;
    assert.equal(err.code, 'E_ECHO_REQUEST');
    assert.equal(err.field, field);
    if (field) assert.match(err.message, new RegExp(field.replace('.', '\\.')));
  }
  assert.equal((await httpCall(control, '/forward')).status, 405);
  assert.equal((await httpCall(control, '/nope')).status, 404);
});
