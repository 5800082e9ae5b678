/**
 * @module reference-impl/control-plane/config/kube-source-api.test
 * The Kubernetes source against a small fake API server on loopback: the initial list lands in the
 * store, a watch ADDED/MODIFIED/DELETED event updates it, a missing CRD is tolerated.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../../../core/logger.ts';
import { createConfigStore } from './config-store.ts';
import { createEventLog } from './event-log.ts';
import { startKubeSource } from './kube-source.ts';

const pod = (name: string, ip: string) => ({
  metadata: { name, namespace: 'a', resourceVersion: '1', uid: name },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] },
  status: { phase: 'Running', podIP: ip },
});

test('kube source: list then watch events reach the config store', async () => {
  const watchers: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const watching = url.searchParams.get('watch') === 'true';
    if (url.pathname === '/api/v1/pods') {
      if (watching) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('');
        watchers.push(res);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'PodList',
          apiVersion: 'v1',
          metadata: { resourceVersion: '1' },
          items: [pod('p1', '10.0.0.1')],
        }),
      );
      return;
    }
    if (url.pathname.startsWith('/api/v1/')) {
      if (watching) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('');
        watchers.push(res);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] }),
      );
      return;
    }
    // CRDs are not installed on this fake cluster.
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound' }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'cp-kube-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{ name: fake, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]\nusers: [{ name: u, user: {} }]\ncontexts: [{ name: c, context: { cluster: fake, user: u } }]\ncurrent-context: c\n`,
  );
  const events = createEventLog();
  const store = createConfigStore({ logger: silentLogger, events });
  const src = await startKubeSource({ kubeconfig, store, logger: silentLogger });
  const until = async (pred: () => boolean) => {
    const end = Date.now() + 5000;
    while (!pred()) {
      if (Date.now() > end) throw new Error('condition not reached');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    await until(() => store.get('Pod', 'a', 'p1') !== undefined);
    assert.equal(store.get('Pod', 'a', 'p1')?.status.podIP, '10.0.0.1');
    await until(() => watchers.length > 0);
    const podWatch = () => watchers.filter((w) => !w.writableEnded);
    const send = (type: string, obj: unknown) => {
      for (const w of podWatch())
        w.write(
          `${JSON.stringify({ type, object: { apiVersion: 'v1', kind: 'Pod', ...(obj as object) } })}\n`,
        );
    };
    send('ADDED', {
      ...pod('p2', '10.0.0.2'),
      metadata: { ...pod('p2', '').metadata, resourceVersion: '2' },
    });
    await until(() => store.get('Pod', 'a', 'p2') !== undefined);
    send('DELETED', {
      ...pod('p1', '10.0.0.1'),
      metadata: { ...pod('p1', '').metadata, resourceVersion: '3' },
    });
    await until(() => store.get('Pod', 'a', 'p1') === undefined);
  } finally {
    src.stop();
    for (const w of watchers) w.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});
