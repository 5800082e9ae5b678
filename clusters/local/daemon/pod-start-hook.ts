/**
 * @module clusters/local/daemon/pod-start-hook
 * Kubelet's side of the node's pod start hook (what a CNI plugin chain is to a real kubelet): after a
 * pod's network namespace is wired and before its containers start, the pod is sent to the hook's
 * unix socket as JSON (`{"type":"add","pod":<Pod>}`) and kubelet waits for its answer
 * (`{"ok":true,"captured":bool}`, or `{"ok":false,"error"}` = retry). The mesh's node agent serves
 * it and answers once the pod is captured, so a process that connects at once is already in the mesh
 * (Istio's CNI plugin does this for ambient pods). No socket file: no hook.
 */
import { existsSync } from 'node:fs';
import net from 'node:net';

/** How the wait ended. */
export type HookOutcome =
  | { kind: 'no-hook' }
  | { kind: 'answered'; captured: boolean }
  | { kind: 'gave-up'; error: string }
  | { kind: 'cancelled' };

/** One request/answer exchange; rejects on a socket error or a bad answer. */
export function askHook(socketPath: string, pod: object, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(socketPath);
    let buf = '';
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    conn.on('connect', () => conn.write(`${JSON.stringify({ type: 'add', pod })}\n`));
    conn.on('data', (d) => {
      buf += d.toString('utf8');
      const i = buf.indexOf('\n');
      if (i < 0) return;
      clearTimeout(timer);
      conn.destroy();
      try {
        resolve(JSON.parse(buf.slice(0, i)));
      } catch {
        reject(new Error('answer is not JSON'));
      }
    });
    conn.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    conn.on('close', () => {
      clearTimeout(timer);
      reject(new Error('closed without an answer'));
    });
  });
}

/**
 * Asks the hook at `socketPath` about `pod` until it answers `ok`, the pod is cancelled, or
 * `deadlineMs` passed (then the containers start anyway: a broken hook must not wedge the node;
 * a socket that refuses connections is given up after `refusedGiveUpMs`).
 */
export async function runPodStartHook(
  socketPath: string,
  pod: object,
  options: { deadlineMs?: number; retryMs?: number; refusedGiveUpMs?: number; cancelled: () => boolean },
): Promise<HookOutcome> {
  const deadline = Date.now() + (options.deadlineMs ?? 30_000);
  const retryMs = options.retryMs ?? 200;
  let lastError = 'no attempt';
  let refusedSince: number | undefined;
  while (Date.now() < deadline) {
    if (options.cancelled()) return { kind: 'cancelled' };
    if (!existsSync(socketPath)) return { kind: 'no-hook' };
    try {
      const a = (await askHook(socketPath, pod, Math.max(1, deadline - Date.now()))) as {
        ok?: unknown;
        captured?: unknown;
        error?: unknown;
      };
      if (a?.ok === true) return { kind: 'answered', captured: a.captured === true };
      lastError = String(a?.error ?? 'refused without a reason');
    } catch (err) {
      lastError = (err as Error).message;
      // A socket file nobody listens on (the agent was killed): not worth the whole deadline.
      if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
        refusedSince ??= Date.now();
        if (Date.now() - refusedSince > (options.refusedGiveUpMs ?? 5000)) break;
      } else refusedSince = undefined;
    }
    await new Promise((r) => setTimeout(r, retryMs));
  }
  return { kind: 'gave-up', error: lastError };
}
