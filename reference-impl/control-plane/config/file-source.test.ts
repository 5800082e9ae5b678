/**
 * @module reference-impl/control-plane/config/file-source.test
 * The watched directory: initial load, atomic update, bad update keeps the last good version (and
 * is logged), delete, missing-namespace and conflicting-route warnings.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../../../core/logger.ts';
import { createConfigStore } from './config-store.ts';
import { createEventLog } from './event-log.ts';
import { startFileSource } from './file-source.ts';

const until = async (pred: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('file source: load, update, reject keeps last good, delete', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cp-files-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, `.${name}.tmp`), text);
    renameSync(join(dir, `.${name}.tmp`), join(dir, name));
  };
  write('Namespace..a.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: { name: a }\n');
  write(
    'AuthorizationPolicy.a.p.yaml',
    'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: p, namespace: a }\nspec: { action: DENY }\n',
  );
  const events = createEventLog();
  const store = createConfigStore({ logger: silentLogger, events });
  const src = await startFileSource({ dir, store, logger: silentLogger, rescanMs: 200 });
  try {
    assert.equal(store.list('Namespace').length, 1);
    assert.equal(store.get('AuthorizationPolicy', 'a', 'p')?.spec.action, 'DENY');

    write(
      'AuthorizationPolicy.a.p.yaml',
      'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: p, namespace: a }\nspec:\n  action: ALLOW\n  rules: [{ from: [{ source: { namespaces: [ghost] } }] }]\n',
    );
    await until(() => store.get('AuthorizationPolicy', 'a', 'p')?.spec.action === 'ALLOW');
    assert.ok(
      events.list().some((e) => e.level === 'warning' && /ghost/.test(e.reason)),
      'missing namespace warned',
    );

    write(
      'AuthorizationPolicy.a.p.yaml',
      'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: p, namespace: a }\nspec: { action: NOPE }\n',
    );
    await until(() => events.list().some((e) => e.level === 'rejected'));
    const rej = events.list().find((e) => e.level === 'rejected')!;
    assert.equal(rej.object, 'AuthorizationPolicy a/p');
    assert.equal(rej.field, 'spec.action');
    assert.equal(store.get('AuthorizationPolicy', 'a', 'p')?.spec.action, 'ALLOW', 'last good stays');

    write('Pod.a.broken.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: { name: [unclosed\n');
    await until(() => events.list().some((e) => e.code === 'E_MANIFEST_YAML'));

    unlinkSync(join(dir, 'AuthorizationPolicy.a.p.yaml'));
    await until(() => store.get('AuthorizationPolicy', 'a', 'p') === undefined);
  } finally {
    src.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('config store: conflicting VirtualServices warn', () => {
  const events = createEventLog();
  const store = createConfigStore({ logger: silentLogger, events });
  const vs = (name: string) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: 'a' },
    spec: { hosts: ['echo'], http: [{ route: [{ destination: { host: 'echo' } }] }] },
  });
  assert.ok(store.apply(vs('one')).ok);
  assert.ok(store.apply(vs('two')).ok);
  assert.ok(events.list().some((e) => /conflicting routes/.test(e.reason)));
});

test('config store: kinds the control plane does not use are skipped, not rejected', () => {
  const events = createEventLog();
  const store = createConfigStore({ logger: silentLogger, events });
  const r = store.apply({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'a' },
    spec: {},
  });
  assert.ok(r.ok);
  assert.equal(events.list().length, 0);
  assert.equal(
    store.apply({ apiVersion: 'v1', kind: 'Bogus', metadata: { name: 'x', namespace: 'a' } }).ok,
    false,
  );
});
