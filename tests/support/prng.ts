// mulberry32: a small seeded PRNG, so that a generated corpus is the same on
// every run and a failure can be reproduced from its seed.
import { TWO32 } from '../../emu/machine/cpu/int64';

/** Returns a generator of uint32 values. */
export function prngU32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Returns a generator of floats in [0, 1). */
export function prngUnit(seed: number): () => number {
  const next = prngU32(seed);
  return () => next() / TWO32;
}
