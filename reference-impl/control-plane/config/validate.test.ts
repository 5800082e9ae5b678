/**
 * @module reference-impl/control-plane/config/validate.test
 * Bad-input table: each case names the field the rejection must point at.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValidationError } from '../../../core/errors.ts';
import { validateObject } from './validate.ts';

const ap = (spec: unknown, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'AuthorizationPolicy',
  metadata: { name: 'p', namespace: 'a' },
  spec,
  ...extra,
});

const bad: { name: string; obj: unknown; code: string; field?: string; reason: RegExp }[] = [
  { name: 'not an object', obj: 'x', code: 'E_MANIFEST_FIELD', reason: /not an object/ },
  {
    name: 'unknown kind',
    obj: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'a' } },
    code: 'E_MANIFEST_KIND',
    field: 'kind',
    reason: /unsupported kind/,
  },
  {
    name: 'wrong apiVersion',
    obj: { ...ap({}), apiVersion: 'networking.istio.io/v1' },
    code: 'E_MANIFEST_FIELD',
    field: 'apiVersion',
    reason: /wrong apiVersion/,
  },
  {
    name: 'missing namespace',
    obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } },
    code: 'E_MANIFEST_FIELD',
    field: 'metadata.namespace',
    reason: /namespace/,
  },
  {
    name: 'unknown top-level field',
    obj: ap({}, { extra: 1 }),
    code: 'E_MANIFEST_FIELD',
    field: 'extra',
    reason: /unknown field/,
  },
  {
    name: 'unknown spec field',
    obj: ap({ actoin: 'DENY' }),
    code: 'E_MANIFEST_FIELD',
    field: 'spec.actoin',
    reason: /unknown field/,
  },
  {
    name: 'schema: wrong type',
    obj: ap({ rules: [{ from: [{ source: { principals: [1] } }] }] }),
    code: 'E_MANIFEST_SCHEMA',
    field: 'spec.rules.0.from.0.source.principals.0',
    reason: /string/,
  },
  {
    name: 'schema: bad enum',
    obj: ap({ action: 'MAYBE' }),
    code: 'E_MANIFEST_SCHEMA',
    field: 'spec.action',
    reason: /./,
  },
  {
    name: 'bad selector',
    obj: ap({ selector: { matchLabels: { 'bad key!': 'x' } } }),
    code: 'E_MANIFEST_FIELD',
    field: 'spec.selector.matchLabels.bad key!',
    reason: /label key/,
  },
  {
    name: 'impossible CIDR',
    obj: ap({ rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/40'] } }] }] }),
    code: 'E_MANIFEST_FIELD',
    field: 'spec.rules[0].from[0].source.ipBlocks',
    reason: /impossible CIDR/,
  },
  {
    name: 'bad port',
    obj: ap({ rules: [{ to: [{ operation: { ports: ['99999'] } }] }] }),
    code: 'E_MANIFEST_FIELD',
    field: 'spec.rules[0].to[0].operation.ports',
    reason: /invalid port/,
  },
  {
    name: 'oversize object',
    obj: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'x', annotations: { big: 'x'.repeat(1024 * 1024 + 10) } },
    },
    code: 'E_MANIFEST_FIELD',
    reason: /oversize/,
  },
  {
    name: 'VirtualService weights not adding to 100',
    obj: {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'v', namespace: 'a' },
      spec: {
        hosts: ['x'],
        http: [
          {
            route: [
              { destination: { host: 'x' }, weight: 50 },
              { destination: { host: 'y' }, weight: 20 },
            ],
          },
        ],
      },
    },
    code: 'E_MANIFEST_FIELD',
    field: 'spec.http[0].route',
    reason: /100/,
  },
];

for (const c of bad) {
  test(`rejects: ${c.name}`, () => {
    assert.throws(
      () => validateObject(c.obj, 'f.yaml'),
      (e: unknown) => {
        assert.ok(e instanceof ValidationError, String(e));
        assert.equal(e.code, c.code);
        if (c.field) assert.equal(e.field, c.field);
        assert.match(e.message, c.reason);
        return true;
      },
    );
  });
}

test('accepts good objects of several kinds; warns on a non-waypoint Gateway', () => {
  validateObject(ap({ action: 'DENY', rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/8'] } }] }] }));
  validateObject({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'a', labels: { 'istio.io/dataplane-mode': 'ambient' } },
  });
  validateObject({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'v', namespace: 'a' },
    spec: { hosts: ['x'], http: [{ route: [{ destination: { host: 'x' } }] }] },
  });
  const r = validateObject({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'g', namespace: 'a' },
    spec: { gatewayClassName: 'other', listeners: [{ name: 'h', port: 80, protocol: 'HTTP' }] },
  });
  assert.equal(r.warnings.length, 1);
});

test('status is written by the cluster and not schema-checked', () => {
  validateObject({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'p',
      namespace: 'a',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'u' }],
    },
    spec: { containers: [{ name: 'c', image: 'x' }], nodeName: 'node0' },
    status: { phase: 'Running', podIP: '198.18.1.2', containerStatuses: [{ name: 'c', ready: true }] },
  });
});
