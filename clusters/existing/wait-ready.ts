/**
 * @module clusters/existing/wait-ready
 * Polls objects until each is ready (see readiness.ts), with a deadline and cancellation; on
 * timeout the error names every object still pending and why.
 */
import { MeshbenchError } from '../../core/errors.ts';
import type { KubeObject, ObjectRef, WaitOptions } from '../cluster.ts';
import { describeRef } from './kinds.ts';
import { readinessOf } from './readiness.ts';

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** Waits until `get` shows every ref ready; a failed object (Job, Pod) fails at once. */
export async function waitUntilReady(
  get: (ref: ObjectRef | KubeObject) => Promise<KubeObject | undefined>,
  refs: readonly (ObjectRef | KubeObject)[],
  options: WaitOptions = {},
  pollMs = 500,
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  let pending = [...refs];
  const reasons = new Map<ObjectRef | KubeObject, string>();
  while (pending.length > 0) {
    const still: (ObjectRef | KubeObject)[] = [];
    for (const ref of pending) {
      const obj = await get(ref);
      const r = obj ? readinessOf(obj) : { ready: false as const, reason: 'not found' };
      if (r.ready) continue;
      if ('failed' in r && r.failed)
        throw new MeshbenchError('E_CLUSTER_STATE', `${describeRef(ref)}: ${r.reason}`);
      reasons.set(ref, r.reason);
      still.push(ref);
    }
    pending = still;
    if (pending.length === 0) return;
    if (Date.now() >= deadline) {
      const what = pending.map((p) => `${describeRef(p)} (${reasons.get(p)})`).join(', ');
      throw new MeshbenchError('E_TIMEOUT', `not ready after ${timeoutMs} ms: ${what}`, {
        hint: 'inspect with `meshbench logs NS/POD` or kubectl describe',
      });
    }
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), options.signal);
  }
}
