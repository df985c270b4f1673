// The fuzzers' randomness: one seeded stream per case, derived from the run's
// seed and the case's index, so that any case can be generated again on its
// own (`npm run fuzz -- TARGET --seed S --case I`) without replaying the
// cases before it.
import { prngU32 } from '../../support/prng';
import { TWO32 } from '../../../emu/machine/cpu/int64';

/** The seed of case `index` of a run seeded with `seed` (a 32-bit mix of both). */
export function caseSeed(seed: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

export class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = prngU32(seed);
  }

  /** A uint32. */
  u32(): number {
    return this.next();
  }

  /** A float in [0, 1). */
  unit(): number {
    return this.next() / TWO32;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.unit() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.unit() < p;
  }

  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }

  /** One of the keys, chosen with the given weights. */
  weighted<K extends string>(w: Readonly<Record<K, number>>): K {
    const keys = Object.keys(w) as K[];
    let total = 0;
    for (const k of keys) total += w[k];
    let x = this.unit() * total;
    for (const k of keys) {
      x -= w[k];
      if (x < 0) return k;
    }
    return keys[keys.length - 1]!;
  }

  /** A random 64-bit value (as an unsigned bigint). */
  u64(): bigint {
    return (BigInt(this.next()) << 32n) | BigInt(this.next());
  }

  /** A size spread over magnitudes: 2^[0, maxLog2) with random low bits. */
  magnitude(maxLog2: number): number {
    return Math.floor(2 ** (this.unit() * maxLog2));
  }
}
