// The kernel's random source (Linux's get_random_u32/get_random_long),
// deterministic from opts.seed so a run can be replayed: xoshiro128** seeded
// through splitmix32. ASLR, AT_RANDOM and getrandom(2) all draw from it, in
// the order the kernel asks.
import { TWO32 } from '../emu/machine/cpu/int64';

export class KernelRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let z = seed >>> 0;
    const next = (): number => {
      z = (z + 0x9e3779b9) | 0;
      let t = z ^ (z >>> 16);
      t = Math.imul(t, 0x21f0aaad);
      t ^= t >>> 15;
      t = Math.imul(t, 0x735a2d97);
      return (t ^ (t >>> 15)) | 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** A uniform number in [0, 1), for choices made by scaling (ASLR offsets, shuffles). */
  unit(): number {
    return this.u32() / TWO32;
  }

  /** get_random_u32(). */
  u32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Fills `buf` (get_random_bytes). */
  fill(buf: Uint8Array): void {
    for (let i = 0; i < buf.length; i += 4) {
      const v = this.u32();
      for (let j = 0; j < 4 && i + j < buf.length; j++) buf[i + j] = (v >>> (8 * j)) & 0xff;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A [0, 1) generator drawing from `r` (for the allocator's and ASLR's option slots). */
export function unitOf(r: KernelRandom): () => number {
  return () => r.unit();
}
