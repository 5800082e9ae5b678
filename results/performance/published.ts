/**
 * @module results/performance/published
 * The figures the seed table publishes ("Average latency (p90/p99)" and "Average resource cost"
 * rows; istio.io "Performance and scalability", Istio 1.22 latency / 1.24 resources), which every
 * chart and table puts next to the measured ones.
 */
import type { Mode } from './types.ts';

/** Published added latency over no mesh, milliseconds. */
export const PUBLISHED_ADDED_LATENCY: Readonly<
  Record<Exclude<Mode, 'baseline'>, { p90Ms: number; p99Ms: number }>
> = {
  sidecar: { p90Ms: 0.63, p99Ms: 0.88 },
  ambient: { p90Ms: 0.16, p99Ms: 0.2 },
  waypoint: { p90Ms: 0.4, p99Ms: 0.5 },
};

/** Published proxy cost at 1000 HTTP rps with 1 KB payloads (Istio 1.24). */
export const PUBLISHED_RESOURCES: Readonly<
  Record<'sidecar' | 'waypoint' | 'ztunnel', { vcpu: number; memoryMiB: number }>
> = {
  sidecar: { vcpu: 0.2, memoryMiB: 60 },
  waypoint: { vcpu: 0.25, memoryMiB: 60 },
  ztunnel: { vcpu: 0.06, memoryMiB: 12 },
};
