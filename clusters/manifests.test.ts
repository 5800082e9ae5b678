/**
 * Manifest loading and validation: every bad-input case names file, line, object and field.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ValidationError } from '../core/errors.ts';
import { loadManifests, parseManifests, validateObjects } from './manifests.ts';

const deployment = (labels: Record<string, string>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'demo' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'meshbench/echo' }] } },
  },
});

function expectValidation(fn: () => void, code: string, parts: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ValidationError, String(err));
    assert.equal(err.code, code);
    for (const p of parts) assert.ok(err.message.includes(p), `"${err.message}" should mention "${p}"`);
    return true;
  });
}

test('valid core, Istio and Gateway API objects pass', () => {
  validateObjects([
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'demo', labels: { 'istio.io/dataplane-mode': 'ambient' } },
    },
    deployment({ app: 'web' }),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'demo' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'deny', namespace: 'demo' },
      spec: { action: 'DENY', rules: [{}] },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'vs', namespace: 'demo' },
      spec: { hosts: ['web'] },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r', namespace: 'demo' },
      spec: {},
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GRPCRoute',
      metadata: { name: 'g', namespace: 'demo' },
      spec: {},
    },
  ]);
});

test('unknown kind, missing field, wrong type, selector mismatch', () => {
  expectValidation(
    () => validateObjects([{ apiVersion: 'v1', kind: 'Frobnicator', metadata: { name: 'x' } }]),
    'E_MANIFEST_KIND',
    ['Frobnicator x', 'unknown kind'],
  );
  expectValidation(
    () =>
      validateObjects(
        [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'demo' }, spec: {} }],
        { file: 'pods.yaml' },
      ),
    'E_MANIFEST_SCHEMA',
    ['pods.yaml', 'Pod demo/p', 'spec.containers'],
  );
  expectValidation(
    () =>
      validateObjects([
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 7 }] } },
      ]),
    'E_MANIFEST_SCHEMA',
    ['Pod p', 'spec.containers[0].name', 'string'],
  );
  expectValidation(() => validateObjects([deployment({ app: 'other' })]), 'E_MANIFEST_FIELD', [
    'Deployment demo/web',
    'spec.template.metadata.labels',
  ]);
  expectValidation(
    () =>
      validateObjects([
        {
          apiVersion: 'security.istio.io/v1',
          kind: 'AuthorizationPolicy',
          metadata: { name: 'a', namespace: 'd' },
          spec: { action: 'MAYBE' },
        },
      ]),
    'E_MANIFEST_SCHEMA',
    ['AuthorizationPolicy d/a', 'spec.action'],
  );
  expectValidation(
    () => validateObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Bad_Name' } }]),
    'E_MANIFEST_FIELD',
    ['metadata.name'],
  );
});

test('bad YAML names file and line; a directory loads in order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mbt-manifests-'));
  try {
    writeFileSync(
      join(dir, 'a.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  namespace: demo\n',
    );
    assert.deepEqual(
      loadManifests(dir).map((o) => o.kind),
      ['Namespace', 'ServiceAccount'],
    );
    writeFileSync(join(dir, 'b.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n');
    expectValidation(() => loadManifests(dir), 'E_MANIFEST_YAML', ['b.yaml:']);
    rmSync(join(dir, 'b.yaml'));
    writeFileSync(
      join(dir, 'c.yaml'),
      '---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n',
    );
    expectValidation(() => loadManifests(dir), 'E_MANIFEST_FIELD', ['c.yaml:7', 'Pod p', 'spec.containers']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(parseManifests('').objects.length, 0);
});
