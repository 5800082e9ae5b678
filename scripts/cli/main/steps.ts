/**
 * @module scripts/cli/main/steps
 * The steps of `meshbench main`, in order. Extension point: add a step (conformance, latency run,
 * report) by importing its `MainStep` and listing it here.
 */
import { clusterStep } from './cluster-step.ts';
import { deployStep } from './deploy-step.ts';
import type { MainStep } from './main-step.ts';
import { reachabilityStep } from './reachability-step.ts';

/** Every step of the main job, in run order. */
export const MAIN_STEPS: readonly MainStep[] = [
  clusterStep,
  deployStep,
  reachabilityStep,
  // conformanceStep (suites/conformance), latencyStep (suites/performance): add here.
];
