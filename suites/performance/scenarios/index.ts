/**
 * @module suites/performance/scenarios
 * The registry of scripted L7 scenarios, by name. A new scenario is a file beside this one
 * exporting a `Scenario`, added to `SCENARIOS`; tsc type-checks it with the rest of the project.
 */
import { MeshbenchError } from '../../../core/errors.ts';
import type { Scenario } from '../scenario.ts';
import { scenario as echoMixed } from './echo-mixed.ts';
import { scenario as headerRouting } from './header-routing.ts';

export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  [echoMixed.name]: echoMixed,
  [headerRouting.name]: headerRouting,
};

/** The scenario called `name`; `E_FLAG` lists the known ones. */
export function getScenario(name: string): Scenario {
  const s = SCENARIOS[name];
  if (!s) {
    throw new MeshbenchError('E_FLAG', `unknown scenario "${name}"`, {
      hint: `use one of ${Object.keys(SCENARIOS).join(', ')} (suites/performance/scenarios/)`,
    });
  }
  return s;
}
