/**
 * @module suites/performance/profiles
 * Load profiles. `full` is Istio's published method (istio/tools perf/benchmark): HTTP/1.1, 1 KB,
 * 1000 qps, connections 2..64, 240 s per point, `-uniform -nocatchup`. `quick` keeps the method and
 * shortens it to a few seconds per point for `npm test` and CI.
 */
import { MeshbenchError } from '../../core/errors.ts';

export type ProfileName = 'quick' | 'full';

export interface Profile {
  name: ProfileName;
  qps: number;
  payloadBytes: number;
  connections: number[];
  durationSeconds: number;
  repetitions: number;
  /** fortio histogram resolution `-r` (10 µs; fortio's default of 1 ms is too coarse for sub-ms figures). */
  resolutionSeconds: number;
  /** Throughput/connection tests: seconds per point. */
  throughputSeconds: number;
  /** Resource suite: seconds of load per mode. */
  resourceSeconds: number;
  /** Scaling suite: application replica counts. */
  scalingReplicas: number[];
  /** Scenario suite: seconds per scenario and mode (each scenario's own duration is the default). */
  scenarioSeconds: number;
}

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  quick: {
    name: 'quick',
    qps: 1000,
    payloadBytes: 1024,
    connections: [2, 8],
    durationSeconds: 3,
    repetitions: 2,
    resolutionSeconds: 0.00001,
    throughputSeconds: 2,
    resourceSeconds: 5,
    scalingReplicas: [1, 2, 4],
    scenarioSeconds: 3,
  },
  full: {
    name: 'full',
    qps: 1000,
    payloadBytes: 1024,
    connections: [2, 4, 8, 16, 32, 64],
    durationSeconds: 240,
    repetitions: 3,
    resolutionSeconds: 0.00001,
    throughputSeconds: 60,
    resourceSeconds: 120,
    scalingReplicas: [1, 2, 4, 8, 16, 32],
    scenarioSeconds: 60,
  },
};

/** A suite's `profile` option: a profile itself, or its name looked up with `getProfile`. */
export function resolveProfile(profile: ProfileName | Profile): Profile {
  return typeof profile === 'string' ? getProfile(profile) : profile;
}

/** Looks a profile up by name; `E_FLAG` names the valid ones. */
export function getProfile(name: string): Profile {
  if (name === 'quick' || name === 'full') return PROFILES[name];
  throw new MeshbenchError('E_FLAG', `unknown profile "${name}"`, {
    hint: 'use --profile quick or --profile full',
  });
}
