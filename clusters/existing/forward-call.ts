/**
 * @module clusters/existing/forward-call
 * A call *from* a pod: `POST /forward` with the `CallRequest` as JSON to the echo app's forward API
 * (port 7071 in the pod), reached through a port-forward; the reply's outcomes come back as is.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { MeshbenchError } from '../../core/errors.ts';
import type { CallOutcome, CallRequest, CallResult, PodRef } from '../cluster.ts';
import { localHttp } from './local-http.ts';
import { withPortForward } from './port-forward.ts';

/** The echo app's forward API port (reference-impl/echo `--control-port`). */
export const ECHO_FORWARD_PORT = 7071;

/** Reads the forward API's reply: `{ outcomes }` (reference echo) or a bare array. */
export function parseForwardReply(body: string): CallOutcome[] {
  const parsed = JSON.parse(body) as { outcomes?: CallOutcome[] } | CallOutcome[];
  const outcomes = Array.isArray(parsed) ? parsed : parsed.outcomes;
  if (!Array.isArray(outcomes)) throw new Error('reply has no outcomes array');
  return outcomes;
}

/** Makes the calls of `request` from `from` and returns every outcome. */
export async function callThroughForward(
  kc: KubeConfig,
  from: PodRef,
  request: CallRequest,
): Promise<CallResult> {
  const count = request.count ?? 1;
  const budget = count * ((request.timeoutMs ?? 5000) + (request.intervalMs ?? 0)) + 10_000;
  const res = await withPortForward(kc, from, ECHO_FORWARD_PORT, (port) =>
    localHttp({
      port,
      path: '/forward',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      timeoutMs: budget,
    }),
  );
  const pod = `${from.namespace}/${from.name}`;
  if (res.status !== 200) {
    throw new MeshbenchError(
      'E_CALL',
      `forward API of ${pod} answered ${res.status}: ${res.body.slice(0, 200)}`,
      {
        hint: `is the echo app (port ${ECHO_FORWARD_PORT}) running in that pod?`,
      },
    );
  }
  try {
    return { from, request, outcomes: parseForwardReply(res.body) };
  } catch (cause) {
    throw new MeshbenchError('E_CALL', `forward API of ${pod} sent an unreadable reply`, { cause });
  }
}
