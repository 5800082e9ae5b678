/**
 * @module reference-impl/echo/echo-controls
 * Per-request controls read from the query string, as Istio's echo reads them
 * (pkg/test/echo/server/endpoint/http.go): `?delay=` (Go duration like `500ms`, `2s`, or bare
 * milliseconds), `?codes=code[:weight][,...]` (weighted random status), `?headers=name:value[,...]`
 * (response headers). Added for retry tests: `?status=code` (one status) and `?failFirst=N[&failCode=503]`
 * (the first N requests to that path on this instance fail, later ones succeed).
 */

/** What the controls ask of one response. Bad values are reported in `errors`, not thrown. */
export interface EchoControls {
  delayMs: number;
  status: number;
  responseHeaders: [string, string][];
  /** Non-zero when `failFirst` was given: the count of requests to fail on this path. */
  failFirst: number;
  failCode: number;
  errors: string[];
}

/** The longest delay honoured, so one request cannot pin a worker forever. */
export const MAX_DELAY_MS = 300_000;

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration (`1.5s`, `2m30s`, `100ms`) or bare milliseconds (`250`); undefined if invalid. */
export function parseDelayMs(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2]!] ?? 0);
    matched = re.lastIndex;
  }
  return matched === text.length && text.length > 0 ? total : undefined;
}

function parseStatus(text: string): number | undefined {
  const n = /^\d{3}$/.test(text) ? Number(text) : Number.NaN;
  return n >= 200 && n < 600 ? n : undefined;
}

/** Picks a status from Istio's `codes` syntax (`500:1,200:1`); `random` is injectable for tests. */
export function pickCode(spec: string, random: () => number = Math.random): number | string {
  const flavors: { code: number; weight: number }[] = [];
  for (const part of spec.split(',')) {
    const [codeText = '', weightText, extra] = part.split(':');
    const code = parseStatus(codeText);
    const weight = weightText === undefined ? 1 : /^\d+$/.test(weightText) ? Number(weightText) : -1;
    if (code === undefined || weight < 0 || extra !== undefined)
      return `invalid code "${part}" (want code or code:count)`;
    flavors.push({ code, weight });
  }
  const total = flavors.reduce((s, f) => s + f.weight, 0);
  if (total === 0) return flavors[flavors.length - 1]!.code;
  let slice = Math.floor(random() * total);
  for (const f of flavors) {
    if (slice < f.weight) return f.code;
    slice -= f.weight;
  }
  return flavors[flavors.length - 1]!.code;
}

/** Reads the controls from a request's query string. */
export function readControls(query: URLSearchParams, random: () => number = Math.random): EchoControls {
  const c: EchoControls = {
    delayMs: 0,
    status: 200,
    responseHeaders: [],
    failFirst: 0,
    failCode: 503,
    errors: [],
  };
  const delay = query.get('delay');
  if (delay) {
    const ms = parseDelayMs(delay);
    if (ms === undefined) c.errors.push(`error delaying response error: invalid duration "${delay}"`);
    else c.delayMs = Math.min(ms, MAX_DELAY_MS);
  }
  const headers = query.get('headers');
  if (headers) {
    for (const h of headers.split(',')) {
      const parts = h.split(':');
      if (parts.length !== 2 || !parts[0])
        c.errors.push(`response headers error: invalid "${h}" (want name:value)`);
      else c.responseHeaders.push([parts[0], parts[1]!]);
    }
  }
  const codes = query.get('codes');
  if (codes) {
    const picked = pickCode(codes, random);
    if (typeof picked === 'number') c.status = picked;
    else {
      c.status = 400;
      c.errors.push(`codes error: ${picked}`);
    }
  }
  const status = query.get('status');
  if (status) {
    const code = parseStatus(status);
    if (code === undefined) {
      c.status = 400;
      c.errors.push(`status error: invalid HTTP status "${status}"`);
    } else c.status = code;
  }
  const failFirst = query.get('failFirst');
  if (failFirst) {
    if (/^\d{1,6}$/.test(failFirst)) c.failFirst = Number(failFirst);
    else c.errors.push(`failFirst error: "${failFirst}" is not a count`);
    const failCode = query.get('failCode');
    if (failCode) {
      const code = parseStatus(failCode);
      if (code === undefined) c.errors.push(`failCode error: invalid HTTP status "${failCode}"`);
      else c.failCode = code;
    }
  }
  return c;
}

/** Counts requests per key (the URL path) so `failFirst=N` fails exactly the first N. Bounded in size. */
export class FailFirstCounter {
  readonly #seen = new Map<string, number>();
  readonly #maxKeys: number;

  constructor(maxKeys = 10_000) {
    this.#maxKeys = maxKeys;
  }

  /** Records one request to `key`; true when it is among the first `n`. */
  shouldFail(key: string, n: number): boolean {
    const count = (this.#seen.get(key) ?? 0) + 1;
    this.#seen.delete(key);
    this.#seen.set(key, count);
    if (this.#seen.size > this.#maxKeys) this.#seen.delete(this.#seen.keys().next().value as string);
    return count <= n;
  }
}
