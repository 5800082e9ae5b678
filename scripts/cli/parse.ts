/**
 * @module scripts/cli/parse
 * Flag value parsers. Each throws commander's `InvalidArgumentError`, which the CLI turns into one
 * `meshbench: E_FLAG: ...` line and exit code 2.
 */
import { InvalidArgumentError } from 'commander';
import type { PodRef } from '../../clusters/cluster.ts';

/** `NS/POD` → `{ namespace, name }`. */
export function parsePodRef(value: string): PodRef {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(value);
  if (!m) throw new InvalidArgumentError(`"${value}" is not NAMESPACE/POD (e.g. meshbench-demo/client)`);
  return { namespace: m[1]!, name: m[3]! };
}

/** A whole number ≥ `min`. */
export function intAtLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`"${value}" is not a whole number ≥ ${min}`);
    }
    return n;
  };
}

/** Repeatable `-H Key:Value`, collected into a record. */
export function collectHeader(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const i = value.indexOf(':');
  if (i <= 0) throw new InvalidArgumentError(`"${value}" is not a header Key:Value`);
  return { ...previous, [value.slice(0, i).trim()]: value.slice(i + 1).trim() };
}

/** A URL with a scheme the echo forward API understands. */
export function parseCallUrl(value: string): string {
  const schemes = ['http', 'h2c', 'grpc', 'tcp', 'server-first'];
  const m = /^([a-z0-9-]+):\/\/[^/\s]+/.exec(value);
  if (!m || !schemes.includes(m[1]!)) {
    throw new InvalidArgumentError(`"${value}" is not a URL with scheme ${schemes.join('|')}:// and a host`);
  }
  return value;
}
