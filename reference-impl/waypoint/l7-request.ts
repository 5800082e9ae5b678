/**
 * @module reference-impl/waypoint/l7-request
 * The request as the L7 engine sees it (protocol-neutral: HTTP/1.1, h2c and gRPC alike), and small
 * helpers to split `:path` into path and query.
 */

/** Who sent the request, as the waypoint (or sidecar) knows it. */
export interface L7Source {
  /** Peer SPIFFE id without `spiffe://` (Istio's `source.principal`), when mTLS. */
  principal?: string;
  namespace?: string;
  ip?: string;
}

/** End-user identity established by RequestAuthentication. */
export interface L7EndUser {
  /** `<iss>/<sub>` (Istio's `request.auth.principal`). */
  principal: string;
  claims: Record<string, unknown>;
}

/** One request to a destination service. */
export interface L7Request {
  method: string;
  /** `:path` / request target, with its query string. */
  path: string;
  /** Host / `:authority` the client sent. */
  authority: string;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Destination service port the request arrived for. */
  port: number;
  source: L7Source;
  endUser?: L7EndUser;
  /** True for gRPC (`content-type: application/grpc*`). */
  grpc?: boolean;
}

/** `/a/b?x=1&y=2` → `{ pathname: '/a/b', query: { x: '1', y: '2' } }` (first value of a repeated key). */
export function splitPath(path: string): { pathname: string; query: Record<string, string> } {
  const i = path.indexOf('?');
  const pathname = i < 0 ? path : path.slice(0, i);
  const query: Record<string, string> = {};
  if (i >= 0) {
    for (const [k, v] of new URLSearchParams(path.slice(i + 1))) if (!(k in query)) query[k] = v;
  }
  return { pathname: pathname || '/', query };
}

/** Node's header object → lower-case map, arrays joined, pseudo-headers dropped. */
export function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || k.startsWith(':')) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}
