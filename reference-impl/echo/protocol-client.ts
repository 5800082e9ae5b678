/**
 * @module reference-impl/echo/protocol-client
 * The contract every scheme's client implements for the forwarder, and the bounded reply buffer they share.
 */
import { canonicalHeaderKey, type EchoFields, parseEchoFields } from './response-format.ts';
import type { ForwardError } from './wire-types.ts';

/** What one call produced; the forwarder adds `index` and `latencyMs`. */
export interface CallResult {
  status: number;
  ok: boolean;
  error?: ForwardError;
  fields: EchoFields;
  body: string;
}

/** Makes the calls of one forward request; owns its connection when reusing one. */
export interface ProtocolClient {
  /** One call. Transport errors reject (the forwarder turns them into outcomes). */
  call(signal: AbortSignal): Promise<CallResult>;
  /** Releases any kept connection. */
  close(): void;
}

/** Bytes of a reply kept in an outcome. */
export const MAX_REPLY_BYTES = 64 * 1024;

/** Collects at most `MAX_REPLY_BYTES`, counting (and dropping) the rest. */
export class ReplyBuffer {
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  total = 0;

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.#kept >= MAX_REPLY_BYTES) return;
    const room = MAX_REPLY_BYTES - this.#kept;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.#chunks.push(part);
    this.#kept += part.length;
  }

  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}

/**
 * Fields of an HTTP reply: the body's lines, then `StatusCode` and `ResponseHeader`s as the caller saw
 * them (a proxy may answer without an echo body, e.g. a 503 from a fault rule).
 */
export function httpReplyFields(status: number, headers: [string, string][], body: string): EchoFields {
  const fields = parseEchoFields(body);
  fields.StatusCode = [String(status)];
  fields.ResponseHeader = headers
    .filter(([k]) => !k.startsWith(':'))
    .map(([k, v]) => `${canonicalHeaderKey(k)}:${v}`);
  return fields;
}

/** `[key, value]` pairs from Node's flat `rawHeaders`. */
export function headerPairsFromRaw(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

/** True for 2xx and 3xx. */
export function isOkStatus(status: number): boolean {
  return status >= 200 && status < 400;
}
