/**
 * @module suites/performance/scenarios/echo-mixed
 * A mixed L7 scenario against fortio's echo: GETs with a header, 1 KB POSTs and an occasional 503,
 * the kind of traffic a waypoint's L7 processing and metrics see.
 */
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'echo-mixed',
  description: 'GET with header, 1 KB POST, 1 in 4 requests asks for a 503 (counted as errors)',
  connections: 4,
  durationSeconds: 10,
  rps: 400,
  requests: [
    { method: 'GET', path: '/echo?size=128', headers: { 'x-meshbench': 'scenario' } },
    {
      method: 'POST',
      path: '/echo',
      headers: { 'content-type': 'application/octet-stream' },
      body: 'x'.repeat(1024),
    },
    { method: 'GET', path: '/echo?delay=1ms' },
    { method: 'GET', path: '/echo?status=503' },
  ],
  thresholds: { p99Ms: 50, errorRate: 0.3 },
};
