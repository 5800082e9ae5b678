/**
 * @module suites/performance/scenario-driver.test
 * The in-pod runner's argv (absolute paths, so it runs from any working directory in the pod) and
 * the scenario registry's error for an unknown name.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { scenarioRunnerArgv } from './scenario-driver.ts';
import { getScenario, SCENARIOS } from './scenarios/index.ts';

describe('scenario runner argv', () => {
  it('names node, tsx and the runner by absolute path, then scenario, url and duration', () => {
    const argv = scenarioRunnerArgv(getScenario('echo-mixed'), 'http://198.19.0.12:8080', 3);
    assert.equal(argv[0], process.execPath);
    assert.equal(argv[1], '--import');
    assert.ok(existsSync(argv[2]!), `tsx loader ${argv[2]}`);
    assert.ok(existsSync(argv[3]!), `runner ${argv[3]}`);
    assert.deepEqual(argv.slice(4), [
      '--scenario',
      'echo-mixed',
      '--url',
      'http://198.19.0.12:8080',
      '--duration',
      '3',
    ]);
  });

  it('every registered scenario is keyed by its own name; unknown names list the known ones', () => {
    for (const [k, s] of Object.entries(SCENARIOS)) assert.equal(k, s.name);
    assert.throws(() => getScenario('nope'), /unknown scenario "nope"[\s\S]*/);
    try {
      getScenario('nope');
    } catch (e) {
      assert.match((e as { hint?: string }).hint ?? '', /echo-mixed, header-routing/);
    }
  });
});
