/**
 * The pod start hook: a new ambient pod is enrolled (rules installed, ztunnel acked) before the hook
 * answers, kept while the watched source has not caught up, refused while ztunnel does not take it;
 * non-mesh pods answer `captured: false`. Real unix sockets for both ZDS and the hook; fake exec.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { silentLogger } from '../../core/logger.ts';
import type { ZdsPod } from '../ztunnel/zds/protocol.ts';
import { startZdsServer } from '../ztunnel/zds/server.ts';
import { type CniAnswer, startCniServer } from './cni-server.ts';
import type { NamespaceLike, PodLike } from './enrolment.ts';
import { startNodeAgent } from './node-agent.ts';

const dir = mkdtempSync(join(tmpdir(), 'mbt-cni-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ambient: NamespaceLike = { metadata: { name: 'a', labels: { 'istio.io/dataplane-mode': 'ambient' } } };
const plain: NamespaceLike = { metadata: { name: 'b' } };
const newPod = (namespace: string, uid: string): PodLike => ({
  metadata: { name: `p-${uid}`, namespace, uid, annotations: { 'meshbench.io/netns': `/run/netns/${uid}` } },
  spec: { nodeName: 'n1', serviceAccountName: 'sa' },
  status: { phase: 'Pending', podIP: '198.18.16.9' },
});

/** One request on the hook socket, like kubelet's. */
function ask(path: string, pod: PodLike): Promise<CniAnswer> {
  return new Promise((resolve, reject) => {
    const c = net.connect(path, () => c.write(`${JSON.stringify({ type: 'add', pod })}\n`));
    let buf = '';
    c.on('data', (d) => {
      buf += d;
    });
    c.on('end', () => resolve(JSON.parse(buf) as CniAnswer));
    c.on('error', reject);
  });
}

test('pod start hook: enrols before answering, keeps the pod until the source lists it', async () => {
  const added: ZdsPod[] = [];
  let refuse = true;
  const zds = await startZdsServer(
    join(dir, 'zds.sock'),
    {
      async addPod(p) {
        if (refuse) throw new Error('no certificate for it yet');
        added.push(p);
      },
      async removePod() {},
      async reconcile() {},
    },
    silentLogger,
  );
  const rules: string[] = [];
  let listener: () => void = () => {};
  const agent = startNodeAgent({
    node: 'n1',
    zdsSocket: join(dir, 'zds.sock'),
    logger: silentLogger,
    source: {
      pods: () => [], // the watched source has not seen the new pods yet
      namespaces: () => [ambient, plain],
      onChange: (fn) => {
        listener = fn;
        return () => {};
      },
    },
    exec: (netns, argv) => {
      if (argv[0] === 'iptables-restore') rules.push(`install ${netns}`);
      if (argv[0] === 'iptables' && argv.includes('-D')) throw new Error('no such rule');
      return '';
    },
  });
  await agent.zds.waitSynced(5000);
  const hook = await startCniServer(join(dir, 'hook.sock'), agent, silentLogger);
  try {
    const refused = await ask(join(dir, 'hook.sock'), newPod('a', 'u1'));
    assert.equal(refused.ok, false, 'ztunnel refused: the caller must retry');
    assert.equal(agent.enrolled().length, 0, 'a refused enrolment is undone');
    refuse = false;
    assert.deepEqual(await ask(join(dir, 'hook.sock'), newPod('a', 'u1')), { ok: true, captured: true });
    assert.deepEqual(
      added.map((p) => p.uid),
      ['u1'],
      'ztunnel took the pod before the answer',
    );
    assert.ok(rules.includes('install /run/netns/u1'));
    listener();
    await agent.settle();
    assert.deepEqual(
      agent.enrolled().map((p) => p.uid),
      ['u1'],
      'not removed while the source has not caught up',
    );
    assert.deepEqual(await ask(join(dir, 'hook.sock'), newPod('b', 'u2')), { ok: true, captured: false });
    const unknown = await ask(join(dir, 'hook.sock'), newPod('zz', 'u3'));
    assert.equal(unknown.ok, false);
    assert.match(unknown.ok ? '' : unknown.error, /namespace zz not seen yet/);
  } finally {
    hook.close();
    await agent.close();
    zds.close();
  }
});
