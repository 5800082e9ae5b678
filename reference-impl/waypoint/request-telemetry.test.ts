/**
 * @module reference-impl/waypoint/request-telemetry.test
 * The cached metric children: same label set → same series, a different status or a replaced
 * workload object → its own series with the right labels.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { createLogger } from '../../core/logger.ts';
import type { Workload } from '../api/workload.ts';
import { createRequestTelemetry, type RequestRecord } from './request-telemetry.ts';

const workload = (name: string, rev: string) =>
  ({
    uid: name,
    name,
    workloadName: name,
    namespace: 'ns',
    canonicalName: name,
    canonicalRevision: rev,
    trustDomain: 'cluster.local',
    serviceAccount: name,
  }) as unknown as Workload;

test('requests are counted per label set, cached children follow workload replacement', async () => {
  const registry = new Registry();
  const lines: string[] = [];
  const logger = createLogger({ stream: { write: (l: string) => lines.push(l) } as never });
  const t = createRequestTelemetry(registry, logger);
  const dest = workload('echo', 'v1');
  const rec = (status: number, d: Workload): RequestRecord => ({
    reporter: 'waypoint',
    method: 'GET',
    path: '/',
    authority: 'echo:80',
    protocol: 'http',
    httpVersion: 'HTTP/1.1',
    status,
    responseFlags: '-',
    durationMs: 0.7,
    requestBytes: 0,
    responseBytes: 10,
    source: { principal: 'cluster.local/ns/ns/sa/client' },
    destination: { workload: d, ip: '10.0.0.1', port: 8080 },
    service: { hostname: 'echo.ns.svc.cluster.local', name: 'echo', namespace: 'ns' },
    accessLog: true,
    metrics: true,
  });
  for (let i = 0; i < 3; i++) t.record(rec(200, dest));
  t.record(rec(503, dest));
  t.record(rec(200, workload('echo', 'v2')));
  const values = (await registry.getSingleMetric('istio_requests_total')!.get()).values;
  const count = (code: string, version: string) =>
    values.find((v) => v.labels.response_code === code && v.labels.destination_version === version)?.value;
  assert.equal(count('200', 'v1'), 3);
  assert.equal(count('503', 'v1'), 1);
  assert.equal(count('200', 'v2'), 1);
  assert.equal(values.length, 3);
  assert.equal(values[0]!.labels.source_principal, 'spiffe://cluster.local/ns/ns/sa/client');
  assert.equal(lines.length, 5);
  const msg = (JSON.parse(lines[0]!) as { msg: string }).msg;
  assert.match(msg, /"GET \/ HTTP\/1\.1" 200 - 0 10 1 "echo:80" 10\.0\.0\.1:8080 -$/);
});
