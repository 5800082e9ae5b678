/**
 * @module reference-impl/waypoint/header-ops
 * Header modifiers (pure): set, then add (appended to an existing value with `, `), then remove;
 * names are lower case. Also the path rewrite and redirect location of a route.
 */
import type { L7HeaderModifier, L7Redirect, L7Rewrite, L7RouteMatch } from '../api/l7.ts';
import { splitPath } from './l7-request.ts';

/** A copy of `headers` with `mods` applied in order. */
export function applyHeaderModifiers(
  headers: Record<string, string>,
  ...mods: (L7HeaderModifier | undefined)[]
): Record<string, string> {
  const out = { ...headers };
  for (const m of mods) {
    if (!m) continue;
    for (const [k, v] of Object.entries(m.set ?? {})) out[k.toLowerCase()] = v;
    for (const [k, v] of Object.entries(m.add ?? {})) {
      const name = k.toLowerCase();
      out[name] = out[name] === undefined ? v : `${out[name]}, ${v}`;
    }
    for (const k of m.remove ?? []) delete out[k.toLowerCase()];
  }
  return out;
}

/** The matched prefix of `match` (for prefix replacement), if it matched by prefix. */
function matchedPrefix(match: L7RouteMatch | undefined): string | undefined {
  const p = match?.path;
  return p && 'prefix' in p ? p.prefix : p && 'exact' in p ? p.exact : undefined;
}

/** Replaces `prefix` at the start of `pathname` by `replacement`, keeping one `/` at the join. */
function replacePrefix(pathname: string, prefix: string | undefined, replacement: string): string {
  const rest = prefix !== undefined && pathname.startsWith(prefix) ? pathname.slice(prefix.length) : pathname;
  if (prefix === undefined) return replacement;
  if (replacement.endsWith('/') && rest.startsWith('/')) return `${replacement}${rest.slice(1)}` || '/';
  if (replacement !== '' && rest !== '' && !replacement.endsWith('/') && !rest.startsWith('/'))
    return `${replacement}/${rest}`;
  return `${replacement}${rest}` || '/';
}

/** The `:path` after a route's rewrite (query kept). */
export function rewritePath(path: string, rewrite: L7Rewrite | undefined, match?: L7RouteMatch): string {
  if (!rewrite || (rewrite.path === undefined && rewrite.prefix === undefined)) return path;
  const { pathname } = splitPath(path);
  const q = path.indexOf('?');
  const query = q < 0 ? '' : path.slice(q);
  const next =
    rewrite.path !== undefined
      ? rewrite.path
      : replacePrefix(pathname, matchedPrefix(match) ?? '/', rewrite.prefix!);
  return `${next}${query}`;
}

/** The `Location` of a redirect for a request to `authority` + `path` over `scheme`. */
export function redirectLocation(
  redirect: L7Redirect,
  req: { scheme: string; authority: string; path: string },
  match?: L7RouteMatch,
): string {
  const scheme = redirect.scheme ?? req.scheme;
  const [reqHost, reqPort] = req.authority.split(':');
  const host = redirect.host ?? reqHost ?? '';
  const defaultPort = scheme === 'https' ? 443 : 80;
  const port =
    redirect.port ?? (redirect.scheme && !redirect.port ? undefined : reqPort ? Number(reqPort) : undefined);
  const portPart = port !== undefined && port !== defaultPort ? `:${port}` : '';
  const { pathname } = splitPath(req.path);
  const q = req.path.indexOf('?');
  const query = q < 0 ? '' : req.path.slice(q);
  const path =
    redirect.path !== undefined
      ? redirect.path
      : redirect.prefix !== undefined
        ? replacePrefix(pathname, matchedPrefix(match) ?? '/', redirect.prefix)
        : pathname;
  return `${scheme}://${host}${portPart}${path}${redirect.path !== undefined ? '' : query}`;
}
