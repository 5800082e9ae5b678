/**
 * @module results/performance/resource-summary
 * The seed's "Average resource cost" row, regenerated from the resource points: per mode, the sum
 * over the proxies one request crosses (sidecar: client and server sidecars; ambient: both
 * ztunnels; waypoint: both ztunnels and the waypoint) of vCPU per 1000 rps and peak memory, next to
 * the published per-proxy figures (Istio 1.24) summed the same way.
 */
import { PUBLISHED_RESOURCES } from './published.ts';
import type { Mode, PerformanceResult } from './types.ts';

export interface ResourceSummary {
  mode: Exclude<Mode, 'baseline'>;
  proxies: number;
  vcpuPer1000Rps: number;
  peakMemoryMiB: number;
  publishedVcpuPer1000Rps: number;
  publishedMemoryMiB: number;
}

const PUBLISHED_PATH: Record<Exclude<Mode, 'baseline'>, (keyof typeof PUBLISHED_RESOURCES)[]> = {
  sidecar: ['sidecar', 'sidecar'],
  ambient: ['ztunnel', 'ztunnel'],
  waypoint: ['ztunnel', 'ztunnel', 'waypoint'],
};

/** One row per mesh mode that has proxy measurements. */
export function summariseResources(result: PerformanceResult): ResourceSummary[] {
  return (['ambient', 'waypoint', 'sidecar'] as const).flatMap((mode) => {
    const points = result.resources.filter((p) => p.mode === mode && p.component !== 'application');
    if (points.length === 0) return [];
    const path = PUBLISHED_PATH[mode];
    return [
      {
        mode,
        proxies: points.length,
        vcpuPer1000Rps: points.reduce((s, p) => s + p.cpuCoresPer1000Rps, 0),
        peakMemoryMiB: points.reduce((s, p) => s + p.peakMemoryMiB, 0),
        publishedVcpuPer1000Rps: path.reduce((s, c) => s + PUBLISHED_RESOURCES[c].vcpu, 0),
        publishedMemoryMiB: path.reduce((s, c) => s + PUBLISHED_RESOURCES[c].memoryMiB, 0),
      },
    ];
  });
}
