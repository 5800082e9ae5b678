/**
 * @module reference-impl/waypoint/jwt
 * RequestAuthentication (Istio's semantics) with `jose`: a request without a token passes
 * unauthenticated (authorization policies decide); a present token must verify against one rule
 * (issuer, audiences, JWKS inline or by URI) or the request is refused with 401. The verified token
 * gives `request.auth.principal` = `<iss>/<sub>` and the claims.
 */
import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { L7JwtRule } from '../api/l7.ts';
import type { L7EndUser } from './l7-request.ts';

/** The result of request authentication. */
export type AuthnResult =
  | { ok: true; endUser?: L7EndUser; tokenHeaders: string[] }
  | { ok: false; reason: string };

const keySets = new Map<string, JWTVerifyGetKey>();
function keySet(rule: L7JwtRule): JWTVerifyGetKey | undefined {
  const key = rule.jwks ?? rule.jwksUri ?? '';
  if (!key) return undefined;
  let ks = keySets.get(key);
  if (!ks) {
    ks = rule.jwks ? createLocalJWKSet(JSON.parse(rule.jwks)) : createRemoteJWKSet(new URL(rule.jwksUri!));
    if (keySets.size > 100) keySets.clear();
    keySets.set(key, ks);
  }
  return ks;
}

/** Where a rule looks for its token (default `Authorization: Bearer`). */
function tokensOf(
  rule: L7JwtRule,
  headers: Record<string, string>,
  query: URLSearchParams,
): { token: string; header?: string }[] {
  const out: { token: string; header?: string }[] = [];
  const from =
    rule.fromHeaders.length > 0
      ? rule.fromHeaders
      : rule.fromParams.length > 0
        ? []
        : [{ name: 'authorization', prefix: 'Bearer ' }];
  for (const h of from) {
    const v = headers[h.name.toLowerCase()];
    if (v === undefined) continue;
    const prefix = h.prefix ?? '';
    if (v.startsWith(prefix))
      out.push({ token: v.slice(prefix.length).trim(), header: h.name.toLowerCase() });
  }
  const params =
    rule.fromParams.length > 0 ? rule.fromParams : rule.fromHeaders.length > 0 ? [] : ['access_token'];
  for (const p of params) {
    const v = query.get(p);
    if (v) out.push({ token: v });
  }
  return out;
}

/** Authenticates the request's JWTs against `rules`. */
export async function authenticate(
  rules: readonly L7JwtRule[],
  headers: Record<string, string>,
  path: string,
): Promise<AuthnResult> {
  if (rules.length === 0) return { ok: true, tokenHeaders: [] };
  const q = path.indexOf('?');
  const query = new URLSearchParams(q < 0 ? '' : path.slice(q + 1));
  let sawToken = false;
  let lastError = '';
  for (const rule of rules) {
    for (const { token, header } of tokensOf(rule, headers, query)) {
      sawToken = true;
      const ks = keySet(rule);
      if (!ks) {
        lastError = `rule for ${rule.issuer} has no JWKS`;
        continue;
      }
      try {
        const { payload } = await jwtVerify(token, ks, {
          issuer: rule.issuer,
          ...(rule.audiences.length > 0 ? { audience: rule.audiences } : {}),
        });
        return {
          ok: true,
          endUser: { principal: `${payload.iss}/${payload.sub}`, claims: payload as Record<string, unknown> },
          tokenHeaders: header && !rule.forwardOriginalToken ? [header] : [],
        };
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
      }
    }
  }
  return sawToken
    ? { ok: false, reason: `Jwt verification fails: ${lastError}` }
    : { ok: true, tokenHeaders: [] };
}
