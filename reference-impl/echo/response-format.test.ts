/** @module reference-impl/echo/response-format.test */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canonicalHeaderKey,
  formatEchoFields,
  headerPairs,
  headerValues,
  parseEchoFields,
} from './response-format.ts';

test('format then parse round-trips, repeated fields keep order', () => {
  const text = formatEchoFields([
    ['StatusCode', '200'],
    ['RequestHeader', ['X-A', '1']],
    ['RequestHeader', ['X-A', '2']],
    ['Hostname', 'pod-1'],
  ]);
  assert.equal(text, 'StatusCode=200\nRequestHeader=X-A:1\nRequestHeader=X-A:2\nHostname=pod-1\n');
  assert.deepEqual(parseEchoFields(text), {
    StatusCode: ['200'],
    RequestHeader: ['X-A:1', 'X-A:2'],
    Hostname: ['pod-1'],
  });
});

test('values cannot forge fields with line breaks', () => {
  const text = formatEchoFields([['Echo', 'a\nStatusCode=500']]);
  assert.deepEqual(parseEchoFields(text), { Echo: ['a StatusCode=500'] });
});

test('parse keeps = inside values, strips Istio forwarder prefixes, ignores free text', () => {
  const body = '[0] Url=http://a/?x=1\n[0 body] ServiceVersion=v2\nno field here\n=x\nURL=/p?q=1&r=2\r\n';
  assert.deepEqual(parseEchoFields(body), {
    Url: ['http://a/?x=1'],
    ServiceVersion: ['v2'],
    URL: ['/p?q=1&r=2'],
  });
});

test('header helpers and canonical keys', () => {
  assert.equal(canonicalHeaderKey('x-forwarded-for'), 'X-Forwarded-For');
  assert.equal(canonicalHeaderKey('USER-AGENT'), 'User-Agent');
  const fields = parseEchoFields('RequestHeader=X-User:alice\nRequestHeader=Accept:a:b\n');
  assert.deepEqual(headerPairs(fields, 'RequestHeader'), [
    ['X-User', 'alice'],
    ['Accept', 'a:b'],
  ]);
  assert.deepEqual(headerValues(fields, 'RequestHeader', 'x-user'), ['alice']);
  assert.deepEqual(headerValues(fields, 'ResponseHeader', 'x-user'), []);
});
