/**
 * The kernel's random numbers (drivers/char/random.c), made deterministic:
 * one xoshiro128** generator seeded by {@link random_seed}, so that a
 * machine booted with the same seed reads the same bytes from
 * `/dev/urandom`. It is not cryptographic and does not pretend to be.
 *
 * @example
 * ```ts
 * import { get_random_bytes, random_seed } from '@rfl/kernel';
 * random_seed(42);
 * const a = get_random_bytes(8);
 * random_seed(42);
 * get_random_bytes(8) // => a
 * ```
 *
 * @module
 */

const state = new Uint32Array(4);

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Reseeds the generator: the same seed gives the same sequence. */
export function random_seed(seed: number): void {
  const next = splitmix32(seed);
  for (let i = 0; i < 4; i++) state[i] = next();
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** `get_random_u32`. */
export function get_random_u32(): number {
  const s = state;
  const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
  const t = (s[1]! << 9) >>> 0;
  s[2]! ^= s[0]!;
  s[3]! ^= s[1]!;
  s[1]! ^= s[2]!;
  s[0]! ^= s[3]!;
  s[2]! ^= t;
  s[3] = rotl(s[3]!, 11);
  return result;
}

/** `get_random_bytes`: `n` bytes of the generator's output. */
export function get_random_bytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    const v = get_random_u32();
    for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
  }
  return out;
}

random_seed(0);
