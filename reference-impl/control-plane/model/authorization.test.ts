/**
 * @module reference-impl/control-plane/model/authorization.test
 * Table tests: AuthorizationPolicy → Authorization (scope, action, L4 fields, L7 handling).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Match } from '../../api/workload.ts';
import { emptyMatch } from '../../api/workload.ts';
import { translateAuthorizationPolicy } from './authorization.ts';
import { buildModel } from './build-model.ts';
import { DEFAULT_MESH_SETTINGS } from './model-input.ts';
import { ns, pod, policy } from './test-objects.ts';

const S = DEFAULT_MESH_SETTINGS;
const m = (over: Partial<Match>): Match => emptyMatch(over);

const cases: {
  name: string;
  ns: string;
  spec: Record<string, unknown>;
  expect: unknown;
  warnings?: number;
}[] = [
  {
    name: 'root namespace, no selector → GLOBAL',
    ns: 'istio-system',
    spec: {},
    expect: { scope: 'GLOBAL', action: 'ALLOW', rules: [] },
  },
  {
    name: 'no selector → NAMESPACE',
    ns: 'a',
    spec: { action: 'DENY' },
    expect: { scope: 'NAMESPACE', action: 'DENY', rules: [] },
  },
  {
    name: 'selector → WORKLOAD_SELECTOR; principals, namespaces, ipBlocks, ports',
    ns: 'a',
    spec: {
      selector: { matchLabels: { app: 'x' } },
      rules: [
        {
          from: [
            {
              source: {
                principals: ['cluster.local/ns/b/sa/c', '*'],
                notNamespaces: ['prod*'],
                ipBlocks: ['10.1.0.0/16', '10.2.3.4'],
                notIpBlocks: ['10.1.2.0/24'],
              },
            },
          ],
          to: [{ operation: { ports: ['8080'], notPorts: ['9090'] } }],
        },
      ],
    },
    expect: {
      scope: 'WORKLOAD_SELECTOR',
      action: 'ALLOW',
      rules: [
        {
          clauses: [
            { matches: [m({ destinationPorts: [8080], notDestinationPorts: [9090] })] },
            {
              matches: [
                m({
                  principals: [{ exact: 'cluster.local/ns/b/sa/c' }, { presence: true }],
                  notNamespaces: [{ prefix: 'prod' }],
                  sourceIps: [
                    { address: '10.1.0.0', length: 16 },
                    { address: '10.2.3.4', length: 32 },
                  ],
                  notSourceIps: [{ address: '10.1.2.0', length: 24 }],
                }),
              ],
            },
          ],
        },
      ],
    },
  },
  {
    name: 'L4 when conditions',
    ns: 'a',
    spec: {
      rules: [
        {
          when: [
            { key: 'source.namespace', values: ['b'] },
            { key: 'destination.port', notValues: ['22'] },
          ],
        },
      ],
    },
    expect: {
      rules: [
        {
          clauses: [
            { matches: [m({ namespaces: [{ exact: 'b' }] })] },
            { matches: [m({ notDestinationPorts: [22] })] },
          ],
        },
      ],
    },
  },
  {
    name: 'ALLOW with L7 (methods) → that rule never matches, others kept',
    ns: 'a',
    spec: {
      rules: [{ to: [{ operation: { methods: ['GET'] } }] }, { from: [{ source: { namespaces: ['b'] } }] }],
    },
    expect: { rules: [{ clauses: [{ matches: [m({ namespaces: [{ exact: 'b' }] })] }] }] },
    warnings: 1,
  },
  {
    name: 'ALLOW with only L7 rules → no rules: allows nothing',
    ns: 'a',
    spec: {
      rules: [
        { from: [{ source: { requestPrincipals: ['*'] } }] },
        { when: [{ key: 'request.headers[x]', values: ['y'] }] },
      ],
    },
    expect: { action: 'ALLOW', rules: [] },
    warnings: 2,
  },
  {
    name: 'DENY with L7 → widened to the whole L4 match',
    ns: 'a',
    spec: {
      action: 'DENY',
      rules: [
        {
          from: [{ source: { namespaces: ['b'] } }],
          to: [{ operation: { paths: ['/admin'], ports: ['80'] } }],
        },
      ],
    },
    expect: {
      action: 'DENY',
      rules: [
        {
          clauses: [
            { matches: [m({ destinationPorts: [80] })] },
            { matches: [m({ namespaces: [{ exact: 'b' }] })] },
          ],
        },
      ],
    },
    warnings: 1,
  },
  {
    name: 'empty rule → match-all rule',
    ns: 'a',
    spec: { rules: [{}] },
    expect: { rules: [{ clauses: [] }] },
  },
  { name: 'AUDIT → not ztunnel’s', ns: 'a', spec: { action: 'AUDIT' }, expect: undefined },
  {
    name: 'CUSTOM → not ztunnel’s',
    ns: 'a',
    spec: { action: 'CUSTOM', provider: { name: 'x' } },
    expect: undefined,
  },
  {
    name: 'targetRefs (waypoint policy) → not ztunnel’s',
    ns: 'a',
    spec: { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'wp' }] },
    expect: undefined,
  },
];

for (const c of cases) {
  test(`authorization: ${c.name}`, () => {
    const r = translateAuthorizationPolicy(policy(c.ns, 'p', c.spec), S);
    assert.equal(r.warnings.length, c.warnings ?? 0, r.warnings.join('; '));
    if (c.expect === undefined) return assert.equal(r.authorization, undefined);
    for (const [k, v] of Object.entries(c.expect as object)) {
      assert.deepEqual((r.authorization as unknown as Record<string, unknown>)[k], v, k);
    }
  });
}

test('selector policies are listed on the workloads they select, root-namespace ones everywhere', () => {
  const model = buildModel(
    {
      Namespace: [ns('a'), ns('istio-system')],
      Pod: [
        pod('a', 'x', '10.0.0.1', { labels: { app: 'x' } }),
        pod('a', 'y', '10.0.0.2', { labels: { app: 'y' } }),
      ],
      AuthorizationPolicy: [
        policy('a', 'px', { selector: { matchLabels: { app: 'x' } } }),
        policy('istio-system', 'root-y', { selector: { matchLabels: { app: 'y' } } }),
        policy('a', 'ns-wide', {}),
      ],
    },
    S,
  );
  assert.deepEqual(model.workloads.get('Kubernetes//Pod/a/x')?.authorizationPolicies, ['a/px']);
  assert.deepEqual(model.workloads.get('Kubernetes//Pod/a/y')?.authorizationPolicies, [
    'istio-system/root-y',
  ]);
  assert.equal(model.authorizations.size, 3);
});

const pa = (namespace: string, name: string, spec: Record<string, unknown>) =>
  ({
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name, namespace },
    spec,
  }) as never;

test('PeerAuthentication: mesh STRICT → static strict policy listed; namespace PERMISSIVE overrides', () => {
  const model = buildModel(
    {
      Namespace: [ns('a'), ns('b'), ns('istio-system')],
      Pod: [pod('a', 'x', '10.0.0.1'), pod('b', 'y', '10.0.0.2')],
      PeerAuthentication: [
        pa('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
        pa('b', 'relaxed', { mtls: { mode: 'PERMISSIVE' } }),
      ],
    },
    S,
  );
  assert.deepEqual(model.workloads.get('Kubernetes//Pod/a/x')?.authorizationPolicies, [
    'istio-system/istio_converted_static_strict',
  ]);
  assert.deepEqual(model.workloads.get('Kubernetes//Pod/b/y')?.authorizationPolicies, []);
  const p = model.authorizations.get('istio-system/istio_converted_static_strict');
  assert.equal(p?.action, 'DENY');
  assert.deepEqual(p?.rules[0]?.clauses[0]?.matches[0]?.notPrincipals, [{ presence: true }]);
});

test('PeerAuthentication: selector STRICT with a PERMISSIVE port → converted policy with the port exception', () => {
  const model = buildModel(
    {
      Namespace: [ns('a')],
      Pod: [pod('a', 'x', '10.0.0.1', { labels: { app: 'a' } })],
      PeerAuthentication: [
        pa('a', 'strict-and-permissive-mtls', {
          selector: { matchLabels: { app: 'a' } },
          mtls: { mode: 'STRICT' },
          portLevelMtls: { 9090: { mode: 'PERMISSIVE' } },
        }),
      ],
    },
    S,
  );
  const key = 'a/converted_peer_authentication_strict-and-permissive-mtls';
  assert.deepEqual(model.workloads.get('Kubernetes//Pod/a/x')?.authorizationPolicies, [key]);
  const p = model.authorizations.get(key);
  assert.equal(p?.scope, 'WORKLOAD_SELECTOR');
  assert.equal(p?.rules[0]?.clauses.length, 2);
  assert.deepEqual(p?.rules[0]?.clauses[1]?.matches[0]?.notDestinationPorts, [9090]);
});
