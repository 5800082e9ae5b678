/**
 * @module suites/conformance/selected-projects
 * Which Playwright projects this run selected (`--project` flags), so the global setup brings up a
 * cluster only when a conformance mode runs and installs the mesh only when a mesh mode runs.
 */
import type { Mode } from '../../results/conformance/model.ts';

/** Project names given with `--project` (all of them when none is given: `undefined`). */
export function selectedProjects(argv: readonly string[] = process.argv): string[] | undefined {
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--project=')) names.push(arg.slice('--project='.length));
    else if (arg === '--project') {
      while (i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) names.push(argv[++i]!);
    }
  }
  return names.length ? names : undefined;
}

/** The mode a project runs (`ambient`, `ambient-negative` → `ambient`), or undefined for non-mode projects. */
export function projectMode(project: string, modes: readonly Mode[]): Mode | undefined {
  const base = project.replace(/-negative$/, '');
  return modes.find((m) => m === base);
}
