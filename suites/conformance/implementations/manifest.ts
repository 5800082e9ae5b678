/**
 * @module suites/conformance/implementations/manifest
 * What an implementation declares, Gateway-API style: who it is, how to install it, which data-plane
 * modes it offers and which features it implements in each. Rows it does not declare are reported
 * `not-supported` (skipped with that reason), never run, never passed, never hidden.
 */
import type { MeshInstallOptions } from '../../../clusters/cluster.ts';
import type { Mode } from '../../../results/conformance/model.ts';

/** The implementation block of the conformance report. */
export interface ImplementationInfo {
  organization: string;
  project: string;
  url: string;
  version: string;
  contact: string[];
}

/** One implementation's declaration. */
export interface ImplementationManifest {
  info: ImplementationInfo;
  install: MeshInstallOptions;
  /** Mesh modes whose data plane exists (absence rows run in these too). */
  modes: readonly Exclude<Mode, 'baseline'>[];
  /** Feature id → the mesh modes it is implemented in. */
  features: Readonly<Record<string, readonly Exclude<Mode, 'baseline'>[]>>;
  /** Why a mode or feature is missing, for the skip reason. */
  notes?: Readonly<Record<string, string>>;
}

/** `undefined` when `feature` may run in `mode`, else the not-supported reason. */
export function unsupportedReason(
  m: ImplementationManifest,
  feature: string,
  mode: Mode,
  positive: boolean,
): string | undefined {
  if (mode === 'baseline') return undefined;
  if (!m.modes.includes(mode)) {
    return `${m.info.project} does not declare the ${mode} data plane${m.notes?.[mode] ? ` (${m.notes[mode]})` : ''}`;
  }
  if (!positive) return undefined;
  if (m.features[feature]?.includes(mode)) return undefined;
  return `${m.info.project} does not declare ${feature} in ${mode} mode${m.notes?.[feature] ? ` (${m.notes[feature]})` : ''}`;
}
