/**
 * @module reference-impl/ztunnel/zds/protocol
 * The node agent ⇄ ztunnel protocol (Istio's ZDS, as JSON lines over a unix socket). The agent sends
 * `add` for every enrolled pod, then `snapshot-done` (ztunnel drops pods it serves that were not in the
 * snapshot); later `add` / `delete`. ztunnel answers every message with one `ack`, in order.
 */
import { ValidationError } from '../../../core/errors.ts';

/** A pod handed to ztunnel. */
export interface ZdsPod {
  uid: string;
  name: string;
  namespace: string;
  /** Path of the pod's network namespace, e.g. `/run/netns/<name>`. */
  netns: string;
  ips: string[];
  serviceAccount: string;
}

/** Agent → ztunnel. */
export type ZdsRequest =
  | { type: 'add'; pod: ZdsPod }
  | { type: 'delete'; uid: string }
  | { type: 'snapshot-done' };

/** ztunnel → agent: `hello` once on connect, then one `ack` per request. */
export type ZdsResponse = { type: 'hello'; version: 1 } | { type: 'ack'; ok: boolean; error?: string };

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Parses and validates one request line. */
export function parseZdsRequest(line: string): ZdsRequest {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new ValidationError('E_MESH_CONFIG', { object: 'zds message' }, 'not JSON');
  }
  const m = v as Record<string, unknown>;
  if (m?.type === 'snapshot-done') return { type: 'snapshot-done' };
  if (m?.type === 'delete' && str(m.uid)) return { type: 'delete', uid: m.uid };
  if (m?.type === 'add' && typeof m.pod === 'object' && m.pod) {
    const p = m.pod as Record<string, unknown>;
    for (const f of ['uid', 'name', 'namespace', 'netns', 'serviceAccount']) {
      if (!str(p[f]))
        throw new ValidationError(
          'E_MESH_CONFIG',
          { object: 'zds add', field: `pod.${f}` },
          'must be a non-empty string',
        );
    }
    if (!Array.isArray(p.ips) || !p.ips.every(str)) {
      throw new ValidationError(
        'E_MESH_CONFIG',
        { object: 'zds add', field: 'pod.ips' },
        'must be a list of IPs',
      );
    }
    return { type: 'add', pod: p as unknown as ZdsPod };
  }
  throw new ValidationError(
    'E_MESH_CONFIG',
    { object: 'zds message', field: 'type' },
    'expected add, delete or snapshot-done',
  );
}
