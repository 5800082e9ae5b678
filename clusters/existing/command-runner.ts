/**
 * @module clusters/existing/command-runner
 * External tools (kind, docker, kubectl, istioctl) run through one injectable `CommandRunner`,
 * so providers test their command lines without the tools, and a missing tool is always the same
 * one-line `E_TOOL_MISSING` error naming the tool and how to get it.
 */
import { execa } from 'execa';
import { MeshbenchError } from '../../core/errors.ts';

/** What a finished command returned. `missing` is true when the executable was not found. */
export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  missing?: boolean;
}

export interface CommandOptions {
  /** Written to stdin. */
  input?: string;
  env?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Runs `file args...`; never rejects on a non-zero exit (callers decide). */
export type CommandRunner = (
  file: string,
  args: readonly string[],
  options?: CommandOptions,
) => Promise<CommandResult>;

/** The real runner (execa, no shell). */
export const execaRunner: CommandRunner = async (file, args, options = {}) => {
  const r = await execa(file, [...args], {
    reject: false,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' }),
    ...(options.env ? { env: options.env } : {}),
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    stripFinalNewline: true,
  });
  const code = (r as { code?: string }).code;
  return {
    exitCode: r.exitCode ?? -1,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    ...(code === 'ENOENT' ? { missing: true } : {}),
  };
};

/** How to get each tool meshbench may call. */
export const TOOL_HINTS: Readonly<Record<string, string>> = {
  kind: 'install kind: `go install sigs.k8s.io/kind@v0.30.0` (then add $(go env GOPATH)/bin to PATH) or see https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  docker:
    'kind needs a container engine: install Docker Engine (https://docs.docker.com/engine/install/) or Podman, start it, or use --provider local',
  podman: 'install Podman (apt-get install -y podman) and set KIND_EXPERIMENTAL_PROVIDER=podman',
  kubectl: 'install kubectl: https://kubernetes.io/docs/tasks/tools/ (or apt-get install -y kubectl)',
  istioctl: 'install istioctl: `curl -L https://istio.io/downloadIstio | sh -` and put istio-*/bin on PATH',
};

/** The E_TOOL_MISSING error for `tool`. */
export function toolMissing(tool: string, why?: string): MeshbenchError {
  const what = why ? `${tool} ${why}` : `${tool} is not installed (not found on PATH)`;
  return new MeshbenchError('E_TOOL_MISSING', what, { hint: TOOL_HINTS[tool] ?? `install ${tool}` });
}

/**
 * Runs a tool and returns stdout; a missing tool is `E_TOOL_MISSING`, a non-zero exit is
 * `failCode` with the tool's last stderr line.
 */
export async function runTool(
  runner: CommandRunner,
  file: string,
  args: readonly string[],
  options: CommandOptions & { failCode?: 'E_EXEC' | 'E_CLUSTER_STATE' | 'E_MESH_CONFIG' } = {},
): Promise<string> {
  const { failCode = 'E_EXEC', ...rest } = options;
  const r = await runner(file, args, rest);
  if (r.missing) throw toolMissing(file);
  if (r.exitCode !== 0) {
    const last = lastLine(r.stderr) || lastLine(r.stdout) || `exit code ${r.exitCode}`;
    throw new MeshbenchError(failCode, `\`${[file, ...args].join(' ')}\` failed: ${last}`, {
      details: { exitCode: r.exitCode, stderr: r.stderr },
    });
  }
  return r.stdout;
}

/** The last non-empty line of a tool's output. */
export function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim());
  return lines.filter(Boolean).at(-1) ?? '';
}
