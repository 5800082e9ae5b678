/**
 * @module suites/performance/scenarios/header-routing
 * Small keep-alive GETs that carry the headers L7 routing and authorization match on (user, tenant,
 * a W3C traceparent), at a steady rate: the per-request work a waypoint or sidecar adds.
 */
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'header-routing',
  description: '64 B GETs with end-user, tenant and traceparent headers, 500 rps on 8 connections',
  connections: 8,
  durationSeconds: 10,
  rps: 500,
  requests: [
    {
      method: 'GET',
      path: '/echo?size=64',
      headers: {
        'x-user': 'jason',
        'x-tenant': 'blue',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
    },
    { method: 'GET', path: '/echo?size=64', headers: { 'x-user': 'guest', 'x-tenant': 'green' } },
  ],
  thresholds: { errorRate: 0.01 },
};
