/**
 * @module clusters/existing/pod-exec
 * Runs a command in a pod's container through the API server's exec (client-node `Exec`, over a
 * WebSocket), with a deadline and cancellation; the exit code comes from the final `V1Status`.
 */
import { Readable, Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import { MeshbenchError } from '../../core/errors.ts';
import type { ExecOptions, ExecResult, PodRef } from '../cluster.ts';
import { kubeError } from './kube-errors.ts';

/** Collects a stream's text. */
function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({
      write(chunk, _enc, cb) {
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
        cb();
      },
    }),
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

/** Exit code from the V1Status of an exec (`NonZeroExitCode` carries it in `details.causes`). */
export function execExitCode(status: V1Status | undefined): number {
  if (!status || status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const n = Number(cause?.message);
  return Number.isInteger(n) ? n : 1;
}

/** Runs `argv` in `container` of `pod`; stdin (if any) is written and closed. */
export async function execInPod(
  kc: KubeConfig,
  pod: PodRef,
  container: string,
  argv: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const out = collector();
  const err = collector();
  const stdin = options.stdin !== undefined ? Readable.from([options.stdin]) : null;
  let status: V1Status | undefined;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const ws = await new Exec(kc)
    .exec(pod.namespace, pod.name, container, [...argv], out.stream, err.stream, stdin, false, (s) => {
      status = s;
    })
    .catch((e: unknown) => {
      throw kubeError(`exec in ${pod.namespace}/${pod.name}`, e, kc.getCurrentCluster()?.server);
    });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.close();
      reject(
        new MeshbenchError(
          'E_TIMEOUT',
          `exec ${argv.join(' ')} in ${pod.namespace}/${pod.name}: no exit within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    const abort = () => {
      clearTimeout(timer);
      ws.close();
      reject(options.signal?.reason);
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    ws.on('close', () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      resolve();
    });
  });
  return { exitCode: execExitCode(status), stdout: out.text(), stderr: err.text() };
}
