/**
 * @module clusters/kind/preflight
 * Before kind runs: are `kind`, a container engine (Docker, or Podman with
 * KIND_EXPERIMENTAL_PROVIDER=podman) and `kubectl` there? Every missing piece is reported in ONE
 * `E_TOOL_MISSING` line that names it and says how to get it.
 */
import { MeshbenchError } from '../../core/errors.ts';
import { type CommandRunner, lastLine, TOOL_HINTS } from '../existing/command-runner.ts';

/** One missing piece: what, and how to get it. */
export interface MissingPiece {
  what: string;
  fix: string;
}

/** Checks the tools; returns what is missing (empty when kind can run). */
export async function findMissing(
  runner: CommandRunner,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<MissingPiece[]> {
  const engine = env.KIND_EXPERIMENTAL_PROVIDER === 'podman' ? 'podman' : 'docker';
  const [kind, engineInfo, kubectl] = await Promise.all([
    runner('kind', ['version']),
    runner(engine, ['info', '--format', '{{.ServerVersion}}']),
    runner('kubectl', ['version', '--client']),
  ]);
  const missing: MissingPiece[] = [];
  if (kind.missing) missing.push({ what: 'kind is not installed', fix: TOOL_HINTS.kind! });
  if (engineInfo.missing) {
    missing.push({ what: `no container engine (${engine} not found)`, fix: TOOL_HINTS[engine]! });
  } else if (engineInfo.exitCode !== 0) {
    const why = lastLine(engineInfo.stderr) || `${engine} info exited ${engineInfo.exitCode}`;
    missing.push({
      what: `no container engine running (${engine} is installed but its engine is not reachable: ${why})`,
      fix:
        engine === 'docker'
          ? 'start Docker Engine (systemctl start docker) or install it: https://docs.docker.com/engine/install/'
          : 'start Podman (systemctl start podman.socket)',
    });
  }
  if (kubectl.missing) missing.push({ what: 'kubectl is not installed', fix: TOOL_HINTS.kubectl! });
  return missing;
}

/** Throws one E_TOOL_MISSING line when anything is missing. */
export async function requireKindTools(
  runner: CommandRunner,
  env?: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const missing = await findMissing(runner, env);
  if (missing.length === 0) return;
  throw new MeshbenchError(
    'E_TOOL_MISSING',
    `the kind provider cannot run: ${missing.map((m) => m.what).join('; ')}`,
    {
      hint: `${missing.map((m) => m.fix).join('; ')}; or use --provider local (no Docker needed)`,
      details: { missing },
    },
  );
}
