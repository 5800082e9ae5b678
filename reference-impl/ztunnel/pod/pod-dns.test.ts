/** DNS proxy answers: service names in their short and long forms, NXDOMAIN otherwise, junk ignored. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { createWorkloadStore } from '../state/workload-store.ts';
import { answerDns } from './pod-dns.ts';

const store = createWorkloadStore();
store.upsertService({
  name: 'echo',
  namespace: 'demo',
  hostname: 'echo.demo.svc.cluster.local',
  addresses: [{ network: '', address: '198.19.0.10' }],
  ports: [{ servicePort: 80, targetPort: 8080 }],
  subjectAltNames: [],
});
const ask = (name: string, type: 'A' | 'AAAA' = 'A') => {
  const out = answerDns(
    { state: store },
    'demo',
    dnsPacket.encode({ type: 'query', id: 9, questions: [{ type, name }] }),
  );
  return out && (dnsPacket.decode(out) as dnsPacket.DecodedPacket & { rcode?: string });
};

for (const name of ['echo', 'echo.demo', 'echo.demo.svc', 'echo.demo.svc.cluster.local']) {
  test(`DNS: ${name} resolves to the VIP`, () => {
    const r = ask(name);
    assert.equal((r?.answers?.[0] as { data?: string } | undefined)?.data, '198.19.0.10');
    assert.equal(r?.id, 9);
  });
}

test('DNS: unknown names get NXDOMAIN, AAAA for a known name gets no answer, junk gets no reply', () => {
  assert.equal(ask('nope.example.com')?.rcode, 'NXDOMAIN');
  const aaaa = ask('echo', 'AAAA');
  assert.equal(aaaa?.rcode, 'NOERROR');
  assert.equal(aaaa?.answers?.length, 0);
  assert.equal(answerDns({ state: store }, 'demo', Buffer.from('garbage')), undefined);
});
