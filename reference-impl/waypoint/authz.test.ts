/**
 * @module reference-impl/waypoint/authz.test
 * Table tests of L7 authorization: DENY before ALLOW, ALLOW-list semantics, dry run, every
 * `from` / `to` / `when` field, wildcards, claims.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { L7AuthorizationPolicy, L7AuthorizationRule } from '../api/l7.ts';
import { authorizeRequest, conditionValues, ruleMatches, wildcardMatch } from './authz.ts';
import type { L7Request } from './l7-request.ts';

const from = (o: Partial<L7AuthorizationRule['from'][number]> = {}): L7AuthorizationRule['from'][number] => ({
  principals: [],
  notPrincipals: [],
  requestPrincipals: [],
  notRequestPrincipals: [],
  namespaces: [],
  notNamespaces: [],
  ipBlocks: [],
  notIpBlocks: [],
  remoteIpBlocks: [],
  notRemoteIpBlocks: [],
  ...o,
});
const to = (o: Partial<L7AuthorizationRule['to'][number]> = {}): L7AuthorizationRule['to'][number] => ({
  hosts: [],
  notHosts: [],
  ports: [],
  notPorts: [],
  methods: [],
  notMethods: [],
  paths: [],
  notPaths: [],
  ...o,
});
const rule = (o: Partial<L7AuthorizationRule> = {}): L7AuthorizationRule => ({
  from: [],
  to: [],
  when: [],
  ...o,
});
const policy = (
  name: string,
  action: L7AuthorizationPolicy['action'],
  rules: L7AuthorizationRule[],
  dryRun = false,
): L7AuthorizationPolicy => ({
  name,
  action,
  rules,
  dryRun,
});
const req = (over: Partial<L7Request> = {}): L7Request => ({
  method: 'GET',
  path: '/allowed?x=1',
  authority: 'echo.ns.svc.cluster.local',
  headers: { 'x-team': 'blue' },
  port: 80,
  source: { principal: 'cluster.local/ns/client/sa/default', namespace: 'client', ip: '198.18.16.5' },
  endUser: {
    principal: 'https://issuer/user-1',
    claims: { scope: 'read write', groups: ['dev', 'ops'], aud: 'api' },
  },
  ...over,
});

test('wildcards', () => {
  assert.ok(wildcardMatch('*', 'x'));
  assert.ok(!wildcardMatch('*', ''));
  assert.ok(!wildcardMatch('*', undefined));
  assert.ok(wildcardMatch('/api/*', '/api/v1'));
  assert.ok(wildcardMatch('*/admin', '/x/admin'));
  assert.ok(!wildcardMatch('/api', '/api/v1'));
});

test('rule fields', () => {
  const rows: [L7AuthorizationRule, Partial<L7Request>, boolean][] = [
    [rule(), {}, true],
    [rule({ to: [to({ methods: ['GET'], paths: ['/allowed'] })] }), {}, true],
    [rule({ to: [to({ methods: ['GET'], paths: ['/allowed'] })] }), { path: '/other' }, false],
    [rule({ to: [to({ methods: ['POST'] })] }), {}, false],
    [rule({ to: [to({ notPaths: ['/allowed'] })] }), {}, false],
    [rule({ to: [to({ ports: ['80'] })] }), {}, true],
    [rule({ to: [to({ hosts: ['*.svc.cluster.local'] })] }), {}, true],
    [rule({ to: [to({ methods: ['POST'] }), to({ paths: ['/allowed'] })] }), {}, true], // `to` entries OR
    [rule({ from: [from({ principals: ['cluster.local/ns/client/sa/default'] })] }), {}, true],
    [rule({ from: [from({ principals: ['cluster.local/ns/other/sa/*'] })] }), {}, false],
    [rule({ from: [from({ namespaces: ['client'] })] }), {}, true],
    [rule({ from: [from({ notNamespaces: ['client'] })] }), {}, false],
    [rule({ from: [from({ ipBlocks: ['198.18.16.0/24'] })] }), {}, true],
    [rule({ from: [from({ ipBlocks: ['198.18.17.0/24'] })] }), {}, false],
    [rule({ from: [from({ requestPrincipals: ['*'] })] }), {}, true],
    [rule({ from: [from({ requestPrincipals: ['*'] })] }), { endUser: undefined }, false],
    [rule({ when: [{ key: 'request.auth.claims[scope]', values: ['read'], notValues: [] }] }), {}, true],
    [rule({ when: [{ key: 'request.auth.claims[scope]', values: ['admin'], notValues: [] }] }), {}, false],
    [rule({ when: [{ key: 'request.auth.claims[groups]', values: ['ops'], notValues: [] }] }), {}, true],
    [rule({ when: [{ key: 'request.headers[x-team]', values: ['blue'], notValues: [] }] }), {}, true],
    [rule({ when: [{ key: 'request.headers[x-team]', values: [], notValues: ['blue'] }] }), {}, false],
    [rule({ when: [{ key: 'source.ip', values: ['198.18.16.0/24'], notValues: [] }] }), {}, true],
    [rule({ from: [from({ namespaces: ['client'] })], to: [to({ methods: ['DELETE'] })] }), {}, false], // from AND to
  ];
  rows.forEach(([r, over, want], i) => {
    assert.equal(ruleMatches(r, req(over)), want, `row ${i}`);
  });
});

test('claims as condition values', () => {
  assert.deepEqual(conditionValues('request.auth.claims[scope]', req()), ['read', 'write']);
  assert.deepEqual(conditionValues('request.auth.audiences', req()), ['api']);
  assert.equal(conditionValues('request.auth.claims[none]', req()), undefined);
});

test('policy combination: DENY first, then ALLOW list, dry run and AUDIT never enforce', () => {
  const getAllowed = policy('ns/get-allowed', 'ALLOW', [
    rule({ to: [to({ methods: ['GET'], paths: ['/allowed'] })] }),
  ]);
  const denyOther = policy('ns/deny-other', 'DENY', [rule({ to: [to({ paths: ['/other'] })] })]);
  assert.deepEqual(authorizeRequest([], req()), { allowed: true, reason: 'no-policy' });
  assert.equal(authorizeRequest([getAllowed], req()).allowed, true);
  assert.deepEqual(authorizeRequest([getAllowed], req({ path: '/other' })), {
    allowed: false,
    reason: 'no-allow-matched',
  });
  assert.deepEqual(authorizeRequest([denyOther], req({ path: '/other' })), {
    allowed: false,
    policy: 'ns/deny-other',
    reason: 'deny-matched',
  });
  assert.equal(authorizeRequest([denyOther], req()).allowed, true);
  const denyAll = policy('ns/deny-all', 'DENY', [rule()]);
  assert.equal(authorizeRequest([getAllowed, denyAll], req()).allowed, false);
  assert.equal(authorizeRequest([policy('ns/dry', 'DENY', [rule()], true)], req()).allowed, true);
  assert.equal(authorizeRequest([policy('ns/audit', 'AUDIT', [rule()])], req()).allowed, true);
  // An ALLOW policy without rules allows nothing.
  assert.equal(authorizeRequest([policy('ns/empty', 'ALLOW', [])], req()).allowed, false);
});
