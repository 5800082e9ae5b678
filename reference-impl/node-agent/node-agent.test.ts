/** In-process tests of the node agent: Istio's rule text, enrolment decisions, reconcile with a fake exec. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../core/logger.ts';
import { enrolledPod, type NamespaceLike, type PodLike } from './enrolment.ts';
import { startNodeAgent } from './node-agent.ts';
import { defaultRedirectOptions, redirectRulesScript } from './redirect-rules.ts';

test('redirect rules are Istio in-pod REDIRECT rules', () => {
  const text = redirectRulesScript();
  for (const line of [
    '-A ISTIO_PRERT -m mark --mark 0x539/0xfff -j CONNMARK --set-xmark 0x111/0xfff',
    '-A ISTIO_OUTPUT -m connmark --mark 0x111/0xfff -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff',
    '-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -p tcp -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15001',
    '-A ISTIO_PRERT ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15006',
    '-A ISTIO_OUTPUT ! -o lo -p udp -m mark ! --mark 0x539/0xfff -m udp --dport 53 -j REDIRECT --to-ports 15053',
    '-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -p tcp -m mark ! --mark 0x539/0xfff -m tcp --dport 53 -j REDIRECT --to-ports 15053',
  ]) {
    assert.ok(text.includes(line), `missing: ${line}`);
  }
  assert.ok(!redirectRulesScript({ ...defaultRedirectOptions, dnsCapture: false }).includes('15053'));
});

const ns = (name: string, mode?: string): NamespaceLike => ({
  metadata: { name, labels: mode ? { 'istio.io/dataplane-mode': mode } : {} },
});
const pod = (over: Partial<PodLike['metadata']> = {}, node = 'n1', phase = 'Running'): PodLike => ({
  metadata: {
    name: 'p',
    namespace: 'a',
    uid: 'u1',
    annotations: { 'meshbench.io/netns': '/run/netns/x' },
    ...over,
  },
  spec: { nodeName: node, serviceAccountName: 'sa' },
  status: { podIP: '198.18.0.5', phase },
});

test('enrolment decisions', () => {
  assert.equal(enrolledPod(pod(), ns('a', 'ambient'), 'n1')?.serviceAccount, 'sa');
  assert.equal(enrolledPod(pod(), ns('a'), 'n1'), undefined, 'namespace not ambient');
  assert.ok(
    enrolledPod(pod({ labels: { 'istio.io/dataplane-mode': 'ambient' } }), ns('a'), 'n1'),
    'pod label',
  );
  assert.equal(
    enrolledPod(pod({ labels: { 'istio.io/dataplane-mode': 'none' } }), ns('a', 'ambient'), 'n1'),
    undefined,
    'opt-out',
  );
  assert.equal(enrolledPod(pod(), ns('a', 'ambient'), 'n2'), undefined, 'other node');
  assert.ok(enrolledPod(pod({}, 'n1', 'Pending'), ns('a', 'ambient'), 'n1'), 'pending with netns and IP');
  assert.equal(enrolledPod(pod({}, 'n1', 'Succeeded'), ns('a', 'ambient'), 'n1'), undefined, 'finished');
  assert.equal(enrolledPod(pod({ annotations: {} }), ns('a', 'ambient'), 'n1'), undefined, 'no netns');
  assert.equal(
    enrolledPod(
      pod({ annotations: { 'meshbench.io/netns': '/x', 'sidecar.istio.io/status': '{}' } }),
      ns('a', 'ambient'),
      'n1',
    ),
    undefined,
    'sidecar pod',
  );
});

test('reconcile installs rules on enrolment and removes them on opt-out (fake exec, no ztunnel)', async () => {
  const calls: string[] = [];
  const namespaces = [ns('a', 'ambient')];
  let listener: () => void = () => {};
  const agent = startNodeAgent({
    node: 'n1',
    zdsSocket: '/nonexistent/mbt-zt.sock',
    logger: silentLogger,
    source: {
      pods: () => [pod()],
      namespaces: () => namespaces,
      onChange: (fn) => {
        listener = fn;
        return () => {};
      },
    },
    exec: (netns, argv, input) => {
      calls.push(`${netns} ${argv.join(' ')}${input ? ' <rules>' : ''}`);
      if (argv[0] === 'iptables' && argv.includes('-D')) throw new Error('no such rule');
      return '';
    },
  });
  await agent.settle();
  assert.equal(agent.enrolled().length, 1);
  assert.ok(calls.some((c) => c.includes('iptables-restore') && c.includes('<rules>')));
  // Original source: replies marked 0x111 are routed to the local stack (Istio's rule and table).
  assert.ok(calls.includes('/run/netns/x ip -4 rule add fwmark 0x111/0xfff priority 32764 lookup 100'));
  assert.ok(calls.includes('/run/netns/x ip -4 route replace local 0.0.0.0/0 dev lo table 100'));
  calls.length = 0;
  namespaces[0] = ns('a');
  listener();
  await agent.settle();
  assert.equal(agent.enrolled().length, 0);
  assert.ok(calls.some((c) => c.includes('-X ISTIO_PRERT')));
  assert.ok(calls.includes('/run/netns/x ip -4 rule del fwmark 0x111/0xfff priority 32764 lookup 100'));
  assert.ok(calls.includes('/run/netns/x ip -4 route flush table 100'));
  await agent.close();
});
