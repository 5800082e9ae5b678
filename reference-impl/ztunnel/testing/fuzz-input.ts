/**
 * @module reference-impl/ztunnel/testing/fuzz-input
 * Deterministic input generation for the listener fuzz tests: a seeded PRNG, random bytes, and
 * mutations (bit flips, truncation, splicing, repetition) of valid seeds.
 */

/** A small seeded PRNG (xorshift32). */
export interface Rng {
  next(): number;
  int(max: number): number;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Buffer;
}

/** Creates a PRNG from `seed`. */
export function createRng(seed = 0x9e3779b9): Rng {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
  const int = (max: number) => Math.floor(next() * max);
  return {
    next,
    int,
    pick: (items) => items[int(items.length)]!,
    bytes: (n) => {
      const b = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) b[i] = int(256);
      return b;
    },
  };
}

/** A mutation of `seed`: flips, truncation, insertion, duplication, or pure noise. */
export function mutate(rng: Rng, seed: Buffer, maxLength = 4096): Buffer {
  const kind = rng.int(6);
  let b = Buffer.from(seed);
  if (kind === 0) return rng.bytes(rng.int(maxLength));
  if (kind === 1) return b.subarray(0, rng.int(b.length + 1));
  if (kind === 2) {
    for (let i = 0, n = 1 + rng.int(8); i < n && b.length; i++) b[rng.int(b.length)]! ^= 1 << rng.int(8);
    return b;
  }
  if (kind === 3) {
    const at = rng.int(b.length + 1);
    b = Buffer.concat([b.subarray(0, at), rng.bytes(1 + rng.int(64)), b.subarray(at)]);
    return b.subarray(0, maxLength);
  }
  if (kind === 4) return Buffer.concat([b, b]).subarray(0, maxLength);
  const at = rng.int(b.length + 1);
  b[at] = rng.pick([0x00, 0xff, 0x7f, 0x80]);
  return b;
}
