/**
 * @module reference-impl/control-plane/auth/node-tokens
 * Node authentication: each node proxy sends gRPC metadata `authorization: Bearer <token>`; the
 * `--node-tokens` file (JSON `{ "<token>": "<node>" }`) maps the token to the node name.
 */
import { readFileSync } from 'node:fs';
import type { Metadata } from '@grpc/grpc-js';
import { ValidationError } from '../../../core/errors.ts';

/** Token → node name. */
export type NodeTokens = ReadonlyMap<string, string>;

/** Parses the JSON text of a node-tokens file; names the field at fault. */
export function parseNodeTokens(text: string, file = 'node-tokens'): NodeTokens {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ValidationError('E_FLAG', { file }, 'not valid JSON', {
      cause: err,
      hint: 'write { "<token>": "<node>" }',
    });
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError('E_FLAG', { file }, 'must be a JSON object', {
      hint: 'write { "<token>": "<node>" }',
    });
  }
  const out = new Map<string, string>();
  for (const [token, node] of Object.entries(raw)) {
    if (typeof node !== 'string' || !node || !token) {
      throw new ValidationError(
        'E_FLAG',
        { file, field: token },
        'token and node name must be non-empty strings',
      );
    }
    out.set(token, node);
  }
  return out;
}

/** Reads and parses a node-tokens file. */
export function loadNodeTokens(path: string): NodeTokens {
  return parseNodeTokens(readFileSync(path, 'utf8'), path);
}

/** The bearer token of a call, or undefined. */
export function bearerToken(md: Metadata): string | undefined {
  const v = md.get('authorization')[0];
  if (typeof v !== 'string') return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(v.trim());
  return m?.[1];
}

/** The node a call authenticates as, or undefined when the token is missing or unknown. */
export function authenticateNode(tokens: NodeTokens, md: Metadata): string | undefined {
  const t = bearerToken(md);
  return t === undefined ? undefined : tokens.get(t);
}
