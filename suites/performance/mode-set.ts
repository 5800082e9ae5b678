/**
 * @module suites/performance/mode-set
 * Brings up every requested mode that can run (skipping the others with the reason), and tears all
 * of it down again, last in first out. Teardown is registered before each mode's setup starts.
 */
import type { Cluster, KubeObject, MeshInfo } from '../../clusters/cluster.ts';
import { describeError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Mode, SkippedMode } from '../../results/performance/types.ts';
import { assertModeInEffect } from './data-plane-check.ts';
import { deployMode, type ModeDeployment } from './mode-deployment.ts';
import { modeUnavailableReason } from './modes.ts';

export interface ModeSet {
  deployments: ModeDeployment[];
  skipped: SkippedMode[];
  /** Deletes everything applied, in reverse order; never throws (failures are logged). */
  teardown(): Promise<void>;
}

export interface ModeSetOptions {
  mesh?: MeshInfo | undefined;
  logger: Logger;
  signal?: AbortSignal | undefined;
  serverReplicas?: number;
  prefix?: string;
  /** Deadline for a waypoint Gateway to become ready (default: the deploy wait, 120 s). */
  waypointTimeoutMs?: number | undefined;
  onProgress?: ((step: string) => void) | undefined;
  /** Check that ambient/waypoint traffic really crosses ztunnel (default true). */
  verify?: boolean;
}

/** Deploys `modes` (in order) and returns the ones that came up plus the skipped ones. */
export async function deployModes(
  cluster: Cluster,
  modes: readonly Mode[],
  options: ModeSetOptions,
): Promise<ModeSet> {
  const applied: KubeObject[][] = [];
  const set: ModeSet = {
    deployments: [],
    skipped: [],
    async teardown() {
      for (const objects of applied.reverse()) {
        try {
          await cluster.delete([...objects].reverse());
        } catch (err) {
          options.logger.warn('teardown failed', { error: describeError(err) });
        }
      }
    },
  };
  try {
    for (const mode of modes) {
      options.signal?.throwIfAborted();
      const reason = await modeUnavailableReason(cluster, mode, options.mesh);
      if (reason) {
        options.logger.warn('mode skipped', { mode, reason });
        set.skipped.push({ mode, reason });
        continue;
      }
      options.onProgress?.(`deploy ${mode}`);
      try {
        const deployment = await deployMode(cluster, mode, (o) => applied.push(o), {
          mesh: options.mesh,
          ...(options.serverReplicas ? { serverReplicas: options.serverReplicas } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.prefix ? { prefix: options.prefix } : {}),
          ...(options.waypointTimeoutMs ? { waypointTimeoutMs: options.waypointTimeoutMs } : {}),
        });
        if (options.verify !== false) {
          await assertModeInEffect(cluster, deployment, options.mesh, { signal: options.signal });
        }
        set.deployments.push(deployment);
      } catch (err) {
        if (options.signal?.aborted) throw err;
        const why = describeError(err);
        options.logger.warn('mode skipped', { mode, reason: why });
        set.skipped.push({ mode, reason: why });
      }
    }
  } catch (err) {
    await set.teardown();
    throw err;
  }
  return set;
}

/** What `measureInterleaved` runs: every repetition × item × deployed mode, modes innermost. */
export interface InterleavedPlan<I> {
  repetitions: number;
  items: readonly I[];
  /** Progress label of an item, e.g. the test or scenario name. */
  label(item: I): string;
  signal?: AbortSignal | undefined;
  onProgress?: ((p: { step: string; done: number; total: number }) => void) | undefined;
}

/**
 * Deploys `modes`, measures every repetition × item in each deployed mode (modes interleaved
 * innermost, so a noisy machine affects them alike), and tears everything down again.
 */
export async function measureInterleaved<I, P>(
  cluster: Cluster,
  modes: readonly Mode[],
  options: ModeSetOptions,
  plan: InterleavedPlan<I>,
  measure: (d: ModeDeployment, item: I, repetition: number) => Promise<P>,
): Promise<{ points: P[]; skipped: SkippedMode[] }> {
  const set = await deployModes(cluster, modes, options);
  try {
    const points: P[] = [];
    const total = plan.repetitions * plan.items.length * set.deployments.length;
    for (let rep = 0; rep < plan.repetitions; rep++) {
      for (const item of plan.items) {
        for (const d of set.deployments) {
          plan.signal?.throwIfAborted();
          plan.onProgress?.({ step: `${d.mode} ${plan.label(item)}`, done: points.length, total });
          points.push(await measure(d, item, rep));
        }
      }
    }
    plan.onProgress?.({ step: 'done', done: total, total });
    return { points, skipped: set.skipped };
  } finally {
    await set.teardown();
  }
}
