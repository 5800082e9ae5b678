/**
 * @module clusters/local/run
 * Runs short host commands (`ip`, `nft`, `tcpdump`) with a deadline and typed errors.
 */
import { spawn } from 'node:child_process';
import { MeshbenchError } from '../../core/errors.ts';

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  /** Do not throw on a non-zero exit. */
  allowFailure?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cmd args`, feeding `input` on stdin; throws E_EXEC on failure unless `allowFailure`. */
export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new MeshbenchError('E_EXEC', `cannot run ${cmd}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const res = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (res.code !== 0 && !options.allowFailure) {
        reject(
          new MeshbenchError(
            'E_EXEC',
            `${cmd} ${args.join(' ')} failed (${signal ?? code}): ${stderr.trim()}`,
            {
              details: { input: options.input },
            },
          ),
        );
      } else resolve(res);
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs `ip [-n netns] -force -batch -` with one command per line. */
export async function ipBatch(
  lines: readonly string[],
  netns?: string,
  allowFailure = false,
): Promise<RunResult> {
  if (lines.length === 0) return { code: 0, stdout: '', stderr: '' };
  const args = [...(netns ? ['-n', netns] : []), ...(allowFailure ? ['-force'] : []), '-batch', '-'];
  return run('ip', args, { input: `${lines.join('\n')}\n`, allowFailure });
}

/** Runs async jobs with at most `limit` in flight. */
export async function parallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length) throw errors[0];
}
