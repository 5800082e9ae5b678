/**
 * @module results/performance/testing/loopback-fortio
 * Test fixture: a real fortio server on 127.0.0.1 (ephemeral ports) and a local `fortio load`, so
 * parsers and suites are tested against real output. Loopback only; the caller stops what it started.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MeshbenchError } from '../../../core/errors.ts';

/** The fortio binary built by scripts/setup (override with MESHBENCH_FORTIO). */
export const FORTIO_BIN =
  process.env.MESHBENCH_FORTIO ?? fileURLToPath(new URL('../../../.tools/bin/fortio', import.meta.url));

/** True when the fortio binary is present (tests skip with a reason otherwise). */
export function hasFortio(): boolean {
  return existsSync(FORTIO_BIN);
}

export interface LoopbackFortio {
  httpPort: number;
  tcpPort: number;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `fortio server` on 127.0.0.1 with ephemeral HTTP and TCP-echo ports. */
export async function startLoopbackFortio(timeoutMs = 10_000): Promise<LoopbackFortio> {
  const child: ChildProcess = spawn(
    FORTIO_BIN,
    [
      'server',
      '-http-port',
      '127.0.0.1:0',
      '-tcp-port',
      '127.0.0.1:0',
      '-grpc-port',
      'disabled',
      '-redirect-port',
      'disabled',
      '-udp-port',
      'disabled',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const ports = await new Promise<{ http: number; tcp: number }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new MeshbenchError('E_TIMEOUT', `fortio server did not start: ${log}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      log += d.toString();
      const http = /http-echo server listening on tcp 127\.0\.0\.1:(\d+)/.exec(log);
      const tcp = /tcp-echo server listening on tcp 127\.0\.0\.1:(\d+)/.exec(log);
      if (http && tcp) {
        clearTimeout(timer);
        resolve({ http: Number(http[1]), tcp: Number(tcp[1]) });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new MeshbenchError('E_EXEC', `fortio server exited (${code}): ${log}`));
    });
  });
  return {
    httpPort: ports.http,
    tcpPort: ports.tcp,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Runs the local fortio binary with `args`; resolves stdout/stderr/exit code. */
export function runFortio(
  args: readonly string[],
  timeoutMs = 30_000,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      FORTIO_BIN,
      [...args],
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ exitCode: code, stdout, stderr });
      },
    );
  });
}

/**
 * For a `describe` block: starts one loopback fortio server before its tests and stops it after.
 * The returned server is usable inside the tests (reading it earlier throws).
 */
export function useLoopbackFortio(): LoopbackFortio {
  let server: LoopbackFortio | undefined;
  before(async () => {
    server = await startLoopbackFortio();
  });
  after(async () => {
    await server?.stop();
  });
  const running = (): LoopbackFortio => {
    if (!server) throw new MeshbenchError('E_INTERNAL', 'loopback fortio read before its before() hook ran');
    return server;
  };
  return {
    get httpPort() {
      return running().httpPort;
    },
    get tcpPort() {
      return running().tcpPort;
    },
    get pid() {
      return running().pid;
    },
    stop: () => running().stop(),
  };
}
