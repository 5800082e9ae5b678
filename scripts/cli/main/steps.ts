/**
 * @module scripts/cli/main/steps
 * The steps of `meshbench main`, in order: cluster, deploy, reachability, conformance (the suite
 * on the same cluster), latency (quick run of every mode). Extension point: add a step by
 * importing its `MainStep` and listing it here.
 */
import { clusterStep } from './cluster-step.ts';
import { conformanceStep } from './conformance-step.ts';
import { deployStep } from './deploy-step.ts';
import { latencyStep } from './latency-step.ts';
import type { MainStep } from './main-step.ts';
import { reachabilityStep } from './reachability-step.ts';

/** Every step of the main job, in run order. */
export const MAIN_STEPS: readonly MainStep[] = [
  clusterStep,
  deployStep,
  reachabilityStep,
  conformanceStep,
  latencyStep,
];
