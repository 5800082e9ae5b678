/**
 * @module results/performance/resource-summary.test
 * The regenerated "Average resource cost" row sums the proxies on the request path.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summariseResources } from './resource-summary.ts';
import { sampleResult } from './testing/sample-result.ts';

describe('summariseResources', () => {
  it('sums measured proxies and the published figures for the same path', () => {
    const rows = summariseResources(sampleResult());
    assert.deepEqual(
      rows.map((r) => r.mode),
      ['ambient', 'sidecar'],
    );
    const sidecar = rows.find((r) => r.mode === 'sidecar')!;
    assert.equal(sidecar.vcpuPer1000Rps, 0.2);
    assert.equal(sidecar.publishedVcpuPer1000Rps, 0.4);
    assert.equal(sidecar.publishedMemoryMiB, 120);
    const ambient = rows.find((r) => r.mode === 'ambient')!;
    assert.equal(ambient.peakMemoryMiB, 12);
    assert.equal(ambient.publishedMemoryMiB, 24);
  });
});
