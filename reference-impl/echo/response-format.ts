/**
 * @module reference-impl/echo/response-format
 * The echo app's response text, as Istio's echo writes it (pkg/test/echo/fields.go): one
 * `Field=value` per line, repeated fields allowed (`RequestHeader=Key:Value` once per header).
 * Pure functions only: suites import this file to read what a workload saw.
 */

/** Field names, spelled as Istio's echo spells them. */
export const EchoField = {
  StatusCode: 'StatusCode',
  ServiceVersion: 'ServiceVersion',
  ServicePort: 'ServicePort',
  Host: 'Host',
  Hostname: 'Hostname',
  Namespace: 'Namespace',
  Method: 'Method',
  URL: 'URL',
  Proto: 'Proto',
  Alpn: 'Alpn',
  IP: 'IP',
  Cluster: 'Cluster',
  RequestHeader: 'RequestHeader',
  ResponseHeader: 'ResponseHeader',
  Echo: 'Echo',
  ServerFirst: 'ServerFirst',
} as const;

/** One of the known field names, or any other name a newer echo may write. */
export type EchoFieldName = (typeof EchoField)[keyof typeof EchoField] | (string & {});

/** Parsed fields: every value of each field, in the order they appeared. */
export type EchoFields = Record<string, string[]>;

/** One line to write: `value` is written as is; `[key, value]` is written as `key:value`. */
export type EchoFieldEntry = readonly [name: EchoFieldName, value: string | readonly [string, string]];

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Formats fields as `Field=value` lines, each ending in `\n`. Line breaks inside a value are replaced by
 * spaces so one value can never forge another field.
 */
export function formatEchoFields(entries: Iterable<EchoFieldEntry>): string {
  let out = '';
  for (const [name, value] of entries) {
    const text = typeof value === 'string' ? value : `${value[0]}:${value[1]}`;
    out += `${name}=${text.replace(/[\r\n]+/g, ' ')}\n`;
  }
  return out;
}

/**
 * Parses an echo response body into fields. Lines that are not `Field=value` (free text, a proxy's error
 * page) are ignored; Istio's forwarder prefixes (`[0] `, `[0 body] `) are stripped.
 */
export function parseEchoFields(body: string): EchoFields {
  const fields: EchoFields = {};
  for (const raw of body.split('\n')) {
    const line = raw.replace(/\r$/, '').replace(/^\[\d+(?: body)?\] /, '');
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const name = line.slice(0, eq);
    if (!FIELD_NAME.test(name)) continue;
    const value = line.slice(eq + 1);
    const list = fields[name];
    if (list) list.push(value);
    else fields[name] = [value];
  }
  return fields;
}

/** Splits `RequestHeader`/`ResponseHeader` values (`Key:Value`) into pairs; keys keep their case. */
export function headerPairs(
  fields: EchoFields,
  name: 'RequestHeader' | 'ResponseHeader',
): [string, string][] {
  return (fields[name] ?? []).map((kv) => {
    const colon = kv.indexOf(':');
    return colon < 0 ? [kv, ''] : [kv.slice(0, colon), kv.slice(colon + 1)];
  });
}

/** The values of header `key` (case-insensitive) in `RequestHeader` or `ResponseHeader` fields. */
export function headerValues(
  fields: EchoFields,
  name: 'RequestHeader' | 'ResponseHeader',
  key: string,
): string[] {
  const want = key.toLowerCase();
  return headerPairs(fields, name)
    .filter(([k]) => k.toLowerCase() === want)
    .map(([, v]) => v);
}

/** Go's canonical header key (`x-forwarded-for` → `X-Forwarded-For`), as Istio's echo prints keys. */
export function canonicalHeaderKey(key: string): string {
  return key.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}
