/**
 * @module results/conformance/model
 * The conformance vocabulary shared by the suite (which produces outcomes) and the writers (which
 * render them): data-plane modes, expected statuses, outcome kinds, the feature catalog that maps
 * seed-table rows to feature ids, and the per-test record the reporter collects.
 */

/** Data-plane modes: each is a Playwright project and a column of every result. */
export const MODES = ['baseline', 'ambient', 'waypoint', 'sidecar', 'interop'] as const;
export type Mode = (typeof MODES)[number];

/**
 * What a mode is expected to do with a feature:
 * `supported` — the feature works; `requires-waypoint` — ambient without a waypoint must visibly NOT do
 * it (asserted), the waypoint column proves it; `not-applicable` — the mode must visibly NOT do it.
 */
export type Expectation = 'supported' | 'requires-waypoint' | 'not-applicable';

/** Measured outcome of one feature in one mode. */
export type OutcomeStatus = 'passed' | 'failed' | 'skipped' | 'not-supported' | 'defect';

/** Which seed table a row belongs to. */
export type SeedTableId = 'comparison' | 'l4-vs-l7' | 'supported-features' | 'not-yet-implemented';

/** The columns of the rendered feature table, in the seed's order, and the modes they show. */
export const TABLE_COLUMNS = [
  { title: 'Sidecar', modes: ['sidecar'] },
  { title: 'Ambient', modes: ['ambient', 'interop'] },
  { title: 'Ambient + waypoint', modes: ['waypoint'] },
] as const satisfies readonly { title: string; modes: readonly Mode[] }[];

/** One row of a seed table or list, as written in the seed, and the features that measure it. */
export interface SeedRow {
  /** Stable id, e.g. `comparison.security-model`. */
  id: string;
  table: SeedTableId;
  /** Section heading inside the table (`Security`, `Observability`, `Traffic management`), if any. */
  section?: string;
  /** The row label exactly as the seed writes it (first cell, or the list item). */
  label: string;
  /** The seed's cells by column (`sidecar`, `ambient`, `l4`, `l7`) or `item` for list entries. */
  seedText: Partial<Record<'sidecar' | 'ambient' | 'l4' | 'l7' | 'item', string>>;
  /** Feature ids whose outcomes fill this row's cells. */
  features: string[];
}

/** How a feature row is proven: by its own test, or outside the conformance suite. */
export type FeatureKind = 'test' | 'performance' | 'environment';

/** One feature: the unit a conformance test proves, in each mode it is defined for. */
export interface FeatureDef {
  /** Stable id, e.g. `security.l4-authz.principal`. */
  id: string;
  title: string;
  layer: 'L4' | 'L7' | 'platform';
  /** Gateway-API-style conformance level. */
  profile: 'core' | 'extended';
  kind: FeatureKind;
  /** The seed row this feature regenerates, and the seed column whose claim it checks. */
  seed: { row: string; column: 'sidecar' | 'ambient' | 'l4' | 'l7' | 'item' };
  /** Expected status per mode; modes absent here do not run the feature. */
  expected: Partial<Record<Mode, Expectation>>;
  /** The setup change that removes the feature; the assertion must fail under it. */
  negativeControl?: string;
  /** Why a non-`test` feature is not run by the conformance suite. */
  externalReason?: string;
}

/** Everything the writers need to render a table without importing the suite. */
export interface FeatureCatalog {
  seed: { file: string; title: string };
  rows: SeedRow[];
  features: FeatureDef[];
}

/** What was asserted and what was seen: the evidence of one outcome. */
export interface Evidence {
  asserted: string;
  seen?: string;
  /** Relative links (from the run directory) to attachments: call outcomes, captures, logs. */
  links: string[];
}

/** One feature × mode measurement, as collected by the reporter. */
export interface RowOutcome {
  feature: string;
  mode: Mode;
  /** True for the negative-control run of the feature (feature removed, assertion expected to fail). */
  negativeControl: boolean;
  expected?: Expectation;
  status: OutcomeStatus;
  /** Reason for skipped / not-supported / failed / defect. */
  reason?: string;
  durationMs: number;
  evidence: Evidence;
  /** Playwright test title path, for finding the spec. */
  test: string;
}
