/**
 * @module scripts/cli/main/main-step
 * The contract of one step of `meshbench main` (the job `npm start` runs). Steps run in order,
 * share a `MainRun`, and record what they found in `run.results[step.id]`, which is written to
 * `results/runs/<run>/main.json` at the end. To add a step (conformance, latency, ...), write a
 * `MainStep` and list it in `steps.ts`.
 */
import type { Cluster, MeshInfo } from '../../../clusters/cluster.ts';
import { MeshbenchError } from '../../../core/errors.ts';
import type { CliContext } from '../context.ts';

/** Options of `meshbench main` that steps may read. */
export interface MainOptions {
  nodes: number;
  /** Always recreate the cluster instead of reusing a healthy one. */
  fresh: boolean;
  /** Calls per target in the reachability check. */
  calls: number;
  /** Deadline for each wait. */
  timeoutMs: number;
  /** Step ids to skip. */
  skip: string[];
  /** Directory of this run's results. */
  runDir: string;
}

/** State shared by the steps of one run. */
export interface MainRun {
  cli: CliContext;
  options: MainOptions;
  /** Set by the `cluster` step; later steps may rely on it. */
  cluster?: Cluster;
  /** Set by the first step that needs the mesh (see `mesh.ts`); later steps reuse it. */
  mesh?: MeshInfo;
  /** Machine-readable findings per step id. */
  results: Record<string, unknown>;
}

/** One step of the main job. */
export interface MainStep {
  /** Stable id, used by `--skip` and as the key in `main.json`. */
  id: string;
  title: string;
  run(run: MainRun): Promise<void>;
}

/** The cluster of the run, or a clear internal error when the `cluster` step was skipped. */
export function requireCluster(run: MainRun): Cluster {
  if (!run.cluster)
    throw new MeshbenchError('E_CLUSTER_STATE', 'no cluster in this run', { hint: 'do not --skip cluster' });
  return run.cluster;
}
