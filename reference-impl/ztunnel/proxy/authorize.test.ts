/** Table tests for L4 authorization (in-process). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Authorization, Match } from '../../api/workload.ts';
import { emptyMatch } from '../../api/workload.ts';
import { authorize, type ConnectionFacts } from './authorize.ts';

const anyMatch = emptyMatch();
const policy = (
  name: string,
  action: 'ALLOW' | 'DENY',
  matches: Partial<Match>[] | null,
  dryRun = false,
): Authorization => ({
  name,
  namespace: 'ns1',
  scope: 'NAMESPACE',
  action,
  dryRun,
  rules: matches === null ? [] : [{ clauses: [{ matches: matches.map((m) => ({ ...anyMatch, ...m })) }] }],
});
const strict = policy('converted_peer_authentication_default', 'DENY', [
  { notPrincipals: [{ presence: true }] },
]);
const fromA = (id = 'spiffe://cluster.local/ns/a/sa/client'): ConnectionFacts => ({
  sourceIdentity: id,
  sourceIp: '10.0.0.1',
  destinationIp: '10.0.0.2',
  destinationPort: 8080,
});
const plain: ConnectionFacts = { sourceIp: '10.0.0.9', destinationIp: '10.0.0.2', destinationPort: 8080 };

const cases: Array<[string, Authorization[], ConnectionFacts, boolean]> = [
  ['no policy allows', [], fromA(), true],
  ['allow-nothing (no rules) denies', [policy('allow-nothing', 'ALLOW', null)], fromA(), false],
  ['allow-all (empty match) allows', [policy('all', 'ALLOW', [{}])], fromA(), true],
  [
    'allow by principal',
    [policy('p', 'ALLOW', [{ principals: [{ exact: 'cluster.local/ns/a/sa/client' }] }])],
    fromA(),
    true,
  ],
  [
    'allow by principal, other principal denied',
    [policy('p', 'ALLOW', [{ principals: [{ exact: 'cluster.local/ns/a/sa/x' }] }])],
    fromA(),
    false,
  ],
  ['principal suffix', [policy('p', 'ALLOW', [{ principals: [{ suffix: '/sa/client' }] }])], fromA(), true],
  ['namespace allow', [policy('n', 'ALLOW', [{ namespaces: [{ exact: 'a' }] }])], fromA(), true],
  [
    'namespace allow, plaintext has none',
    [policy('n', 'ALLOW', [{ namespaces: [{ exact: 'a' }] }])],
    plain,
    false,
  ],
  [
    'deny before allow',
    [policy('all', 'ALLOW', [{}]), policy('d', 'DENY', [{ destinationPorts: [8080] }])],
    fromA(),
    false,
  ],
  ['deny other port does not apply', [policy('d', 'DENY', [{ destinationPorts: [9090] }])], fromA(), true],
  ['notDestinationPorts', [policy('d', 'DENY', [{ notDestinationPorts: [8080] }])], fromA(), true],
  [
    'source ip CIDR allow',
    [policy('ip', 'ALLOW', [{ sourceIps: [{ address: '10.0.0.0', length: 24 }] }])],
    fromA(),
    true,
  ],
  [
    'source ip CIDR miss',
    [policy('ip', 'ALLOW', [{ sourceIps: [{ address: '10.1.0.0', length: 16 }] }])],
    fromA(),
    false,
  ],
  [
    'notSourceIps deny-excludes',
    [policy('d', 'DENY', [{ notSourceIps: [{ address: '10.0.0.1', length: 32 }] }])],
    fromA(),
    true,
  ],
  [
    'destination ip allow',
    [policy('ip', 'ALLOW', [{ destinationIps: [{ address: '10.0.0.2', length: 32 }] }])],
    fromA(),
    true,
  ],
  ['STRICT denies plaintext', [strict], plain, false],
  ['STRICT allows mTLS', [strict], fromA(), true],
  ['dry-run deny is not enforced', [policy('d', 'DENY', [{}], true)], fromA(), true],
  [
    'OR across matches',
    [policy('p', 'ALLOW', [{ destinationPorts: [1] }, { destinationPorts: [8080] }])],
    fromA(),
    true,
  ],
  [
    'AND within a match',
    [policy('p', 'ALLOW', [{ destinationPorts: [8080], namespaces: [{ exact: 'b' }] }])],
    fromA(),
    false,
  ],
  [
    'presence principal denies plaintext-only allow',
    [policy('p', 'ALLOW', [{ principals: [{ presence: true }] }])],
    plain,
    false,
  ],
];

for (const [name, policies, facts, expected] of cases) {
  test(`authorize: ${name}`, () => {
    assert.equal(authorize(policies, facts).allowed, expected);
  });
}

test('authorize: AND across clauses', () => {
  const p: Authorization = {
    ...policy('c', 'ALLOW', null),
    rules: [
      {
        clauses: [
          { matches: [{ ...anyMatch, destinationPorts: [8080] }] },
          { matches: [{ ...anyMatch, namespaces: [{ exact: 'b' }] }] },
        ],
      },
    ],
  };
  assert.equal(authorize([p], fromA()).allowed, false);
  assert.equal(authorize([p], fromA('spiffe://cluster.local/ns/b/sa/x')).allowed, true);
});
