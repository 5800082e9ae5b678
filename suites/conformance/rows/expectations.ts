/**
 * @module suites/conformance/rows/expectations
 * The usual per-mode expectation sets, named after the seed's claims, so each feature record says
 * which claim it checks rather than repeating five modes.
 */
import type { Expectation, Mode } from '../../../results/conformance/model.ts';

type PerMode = Partial<Record<Mode, Expectation>>;

/** An L4 mesh feature: every mesh mode does it; without a mesh (baseline) it must visibly not happen. */
export const L4_MESH: PerMode = {
  baseline: 'not-applicable',
  ambient: 'supported',
  waypoint: 'supported',
  sidecar: 'supported',
};

/** An L4 mesh feature that also holds between a sidecar client and an ambient server. */
export const L4_MESH_INTEROP: PerMode = { ...L4_MESH, interop: 'supported' };

/** An L7 feature: sidecar and waypoint do it; ambient without a waypoint and no mesh must visibly not. */
export const L7_MESH: PerMode = {
  baseline: 'not-applicable',
  ambient: 'requires-waypoint',
  waypoint: 'supported',
  sidecar: 'supported',
};

/** Plain Kubernetes behaviour every mode (no mesh included) must keep. */
export const EVERY_MODE: PerMode = {
  baseline: 'supported',
  ambient: 'supported',
  waypoint: 'supported',
  sidecar: 'supported',
};

/** Measured outside the conformance suite, in every mesh mode. */
export const MESH_MODES: PerMode = { ambient: 'supported', waypoint: 'supported', sidecar: 'supported' };
