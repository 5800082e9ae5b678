/**
 * @module suites/conformance/define-row
 * Declares the Playwright test of one feature row: tagged with every mode the row is defined for (each
 * mode project greps its tag), annotated with the row id and the mode's expectation, skipped with a
 * reason when the cluster, the mesh or the implementation cannot run it, and — in a negative-control
 * project — run with the feature removed, where the assertion must fail (passing is a defect).
 */
import { MeshbenchError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logger.ts';
import { CheckFailedError } from '../fixtures/check.ts';
import { type ConformanceOptions, test, type WorkerSession } from '../fixtures/conformance-test.ts';
import { Scenario } from '../fixtures/scenario.ts';
import { implementationManifest, unsupportedReason } from './implementations/index.ts';
import { RowContext, RowSkip } from './row-context.ts';
import { expectedModes, featureById } from './rows/index.ts';

/** A row's test body; it branches on `ctx.positive` (feature works) and `ctx.control` (feature removed). */
export type RowBody = (ctx: RowContext) => Promise<void>;

/** Annotation types the reporter reads. */
export const ANNOTATION = {
  feature: 'feature',
  expected: 'expected',
  notSupported: 'not-supported',
  evidence: 'evidence',
  negativeControl: 'negative-control',
  controlConfirmed: 'control-confirmed',
  defect: 'defect',
  skipReason: 'skip-reason',
} as const;

function availability(
  session: WorkerSession,
  options: ConformanceOptions,
  id: string,
  positive: boolean,
): { skip?: string; notSupported?: string } {
  if (!session.connected) return { skip: session.clusterUnavailable ?? 'no cluster' };
  if (options.mode === 'baseline') return {};
  if (!session.mesh?.installed) return { notSupported: session.mesh?.reason ?? 'mesh not installed' };
  if (session.mesh.reason) return { notSupported: session.mesh.reason };
  const manifest = implementationManifest();
  const reason = unsupportedReason(manifest, id, options.mode, positive);
  return reason ? { notSupported: reason } : {};
}

export { test };

type TestArgs = Parameters<typeof test>;

/**
 * The arguments of the test of feature `id`, for the spec to pass to `test(...rowTest(id, body))` (so
 * Playwright reports the spec's own location). Without a body the row is declared but unproven: it is
 * reported skipped ("no test body yet") where it would otherwise run.
 */
export function rowTest(id: string, body?: RowBody): [TestArgs[0], TestArgs[1], TestArgs[2]] {
  const feature = featureById(id);
  const modes = expectedModes(feature);
  return [
    `${id}: ${feature.title}`,
    { tag: modes.map(([m]) => `@${m}`), annotation: [{ type: ANNOTATION.feature, description: id }] },
    async ({ session, mode, negativeControl }, testInfo) => {
      const expectation = feature.expected[mode];
      if (!expectation) test.skip(true, `${id} is not defined for ${mode} mode`);
      const info = testInfo.annotations;
      info.push({ type: ANNOTATION.expected, description: expectation! });
      const positive = expectation === 'supported';
      const skip = (reason: string, kind: 'not-supported' | 'skip-reason') => {
        info.push({
          type: kind === 'not-supported' ? ANNOTATION.notSupported : ANNOTATION.skipReason,
          description: reason,
        });
        test.skip(true, reason);
      };
      if (feature.kind !== 'test')
        skip(feature.externalReason ?? `${feature.kind} row, not run by conformance`, 'skip-reason');
      if (negativeControl) {
        info.push({ type: ANNOTATION.negativeControl, description: feature.negativeControl ?? '(none)' });
        if (!positive)
          skip(`negative control applies to supported rows only (${mode}: ${expectation})`, 'skip-reason');
        if (!feature.negativeControl) skip('no negative control named for this row', 'skip-reason');
      }
      const avail = availability(session, { mode, negativeControl }, id, positive);
      if (avail.skip) skip(avail.skip, 'skip-reason');
      if (avail.notSupported) skip(avail.notSupported, 'not-supported');
      if (!body) skip('no test body yet: the row is declared, not yet proven', 'skip-reason');
      const cluster = session.connected!;
      const scenario = new Scenario({ cluster, mode, tag: id, logger: silentLogger });
      const ctx = new RowContext(
        cluster,
        mode,
        feature,
        expectation!,
        negativeControl,
        scenario,
        testInfo,
        session.mesh?.info?.systemNamespace ?? 'istio-system',
      );
      try {
        await body!(ctx);
        if (negativeControl) {
          const message = `${id} still passed with its feature removed (${feature.negativeControl}): the test does not prove the feature`;
          info.push({ type: ANNOTATION.defect, description: message });
          throw new MeshbenchError('E_CONTROL_DEFECT', message);
        }
      } catch (err) {
        if (err instanceof RowSkip) skip(err.reason, 'skip-reason');
        if (negativeControl && err instanceof CheckFailedError) {
          info.push({ type: ANNOTATION.controlConfirmed, description: err.message });
          return;
        }
        throw err;
      } finally {
        if (process.env.MESHBENCH_KEEP_NAMESPACES !== '1') await scenario.cleanup();
      }
    },
  ];
}
