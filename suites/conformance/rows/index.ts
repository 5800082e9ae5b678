/**
 * @module suites/conformance/rows
 * The row registry: every seed row and every feature that measures it, plus lookups and the catalog
 * handed to the reporter (which may not import the suite).
 */
import { MeshbenchError } from '../../../core/errors.ts';
import type { Expectation, FeatureCatalog, FeatureDef, Mode } from '../../../results/conformance/model.ts';
import { LIFECYCLE_FEATURES } from './lifecycle-features.ts';
import { OBSERVABILITY_FEATURES } from './observability-features.ts';
import { PLATFORM_FEATURES } from './platform-features.ts';
import { SECURITY_FEATURES } from './security-features.ts';
import { SEED_FILE, SEED_ROWS } from './seed-rows.ts';
import { TRAFFIC_FEATURES } from './traffic-features.ts';

export { SEED_FILE, SEED_ROWS } from './seed-rows.ts';

/** Every feature, by area. */
export const FEATURES: readonly FeatureDef[] = [
  ...SECURITY_FEATURES,
  ...TRAFFIC_FEATURES,
  ...OBSERVABILITY_FEATURES,
  ...LIFECYCLE_FEATURES,
  ...PLATFORM_FEATURES,
];

/** The feature with id `id`; throws naming the id when there is none. */
export function featureById(id: string): FeatureDef {
  const f = FEATURES.find((x) => x.id === id);
  if (!f) {
    throw new MeshbenchError('E_NOT_FOUND', `no conformance feature "${id}"`, {
      hint: 'add it to suites/conformance/rows/*-features.ts',
    });
  }
  return f;
}

/** The modes a feature is defined for, with their expectation (absent/undefined entries dropped). */
export function expectedModes(f: FeatureDef): [Mode, Expectation][] {
  return (Object.entries(f.expected) as [Mode, Expectation | undefined][]).filter(
    (e): e is [Mode, Expectation] => e[1] !== undefined,
  );
}

/** The catalog for the reporter: seed rows and features as plain data. */
export function featureCatalog(): FeatureCatalog {
  return {
    seed: { file: SEED_FILE, title: 'Sidecar or ambient? (Istio 1.22)' },
    rows: SEED_ROWS.map((r) => ({ ...r })),
    features: FEATURES.map((f) => ({ ...f, expected: Object.fromEntries(expectedModes(f)) })),
  };
}
