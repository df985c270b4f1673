// 64-bit integer arithmetic on hi/lo int32 halves, without BigInt (STYLE 3).
// Every helper reads its operands as values (lo, hi) and writes its 64-bit
// result into x[d] (low half) and x[d + 1] (high half), so it never allocates
// and operands may alias the destination. Semantics are those of the RISC-V
// Unprivileged ISA (RV64I chapter 4, "M" chapter 7), including the division
// edge cases of table 7.1. tests/emu/machine/cpu/int64.test.ts checks each one
// against a BigInt oracle.

/** 2^32: a 64-bit value is hi * TWO32 + (lo >>> 0). The one definition (tests/architecture/one-home.test.ts). */
export const TWO32 = 4294967296;

/** x[d..d+1] = a + b (mod 2^64). */
export function add64(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number): void {
  const lo = (alo + blo) | 0;
  x[d + 1] = (ahi + bhi + ((lo >>> 0) < (alo >>> 0) ? 1 : 0)) | 0;
  x[d] = lo;
}

/** x[d..d+1] = a - b (mod 2^64). */
export function sub64(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number): void {
  const lo = (alo - blo) | 0;
  x[d + 1] = (ahi - bhi - ((alo >>> 0) < (blo >>> 0) ? 1 : 0)) | 0;
  x[d] = lo;
}

/** Signed a < b. */
export function lt64(alo: number, ahi: number, blo: number, bhi: number): boolean {
  return ahi < bhi || (ahi === bhi && alo >>> 0 < blo >>> 0);
}

/** Unsigned a < b. */
export function ltu64(alo: number, ahi: number, blo: number, bhi: number): boolean {
  return ahi >>> 0 < bhi >>> 0 || (ahi === bhi && alo >>> 0 < blo >>> 0);
}

/** x[d..d+1] = a << (sh & 63). */
export function sll64(x: Int32Array, d: number, lo: number, hi: number, sh: number): void {
  sh &= 63;
  if (sh === 0) {
    x[d] = lo;
    x[d + 1] = hi;
  } else if (sh < 32) {
    x[d + 1] = (hi << sh) | (lo >>> (32 - sh));
    x[d] = lo << sh;
  } else {
    x[d + 1] = lo << (sh - 32);
    x[d] = 0;
  }
}

/** x[d..d+1] = a >>> (sh & 63) (logical). */
export function srl64(x: Int32Array, d: number, lo: number, hi: number, sh: number): void {
  sh &= 63;
  if (sh === 0) {
    x[d] = lo;
    x[d + 1] = hi;
  } else if (sh < 32) {
    x[d] = (lo >>> sh) | (hi << (32 - sh));
    x[d + 1] = hi >>> sh;
  } else {
    x[d] = hi >>> (sh - 32);
    x[d + 1] = 0;
  }
}

/** x[d..d+1] = a >> (sh & 63) (arithmetic). */
export function sra64(x: Int32Array, d: number, lo: number, hi: number, sh: number): void {
  sh &= 63;
  if (sh === 0) {
    x[d] = lo;
    x[d + 1] = hi;
  } else if (sh < 32) {
    x[d] = (lo >>> sh) | (hi << (32 - sh));
    x[d + 1] = hi >> sh;
  } else {
    x[d] = hi >> (sh - 32);
    x[d + 1] = hi >> 31;
  }
}

/** High 32 bits of the unsigned 64-bit product a * b of two uint32 values. */
export function mulhu32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const lolo = a0 * b0; // < 2^32
  const mid = a1 * b0 + (lolo >>> 16) + ((a0 * b1) & 0xffff); // < 2^33, exact in a double
  return (a1 * b1 + ((a0 * b1) >>> 16) + Math.floor(mid / 65536)) | 0;
}

/** x[d..d+1] = low 64 bits of a * b (MUL; the same for signed and unsigned). */
export function mul64(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number): void {
  const hi = (mulhu32(alo >>> 0, blo >>> 0) + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
  x[d] = Math.imul(alo, blo);
  x[d + 1] = hi;
}

/** x[d..d+1] = high 64 bits of the unsigned 128-bit product a * b (MULHU). */
export function mulhu64(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number): void {
  // Schoolbook on 32-bit halves: a * b = hh * 2^64 + (lh + hl) * 2^32 + ll.
  // Column sums of at most four uint32 values stay far below 2^53.
  const al = alo >>> 0, ah = ahi >>> 0, bl = blo >>> 0, bh = bhi >>> 0;
  const mid = (mulhu32(al, bl) >>> 0) + (Math.imul(al, bh) >>> 0) + (Math.imul(ah, bl) >>> 0);
  const low = (Math.imul(ah, bh) >>> 0) + (mulhu32(al, bh) >>> 0) + (mulhu32(ah, bl) >>> 0) + Math.floor(mid / TWO32);
  x[d] = low | 0;
  x[d + 1] = (mulhu32(ah, bh) + Math.floor(low / TWO32)) | 0;
}

/** x[d..d+1] = high 64 bits of the signed x signed product (MULH). */
export function mulh64(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number): void {
  // signed(a)*signed(b) = a*b - 2^64*(a<0 ? b : 0) - 2^64*(b<0 ? a : 0), reading a, b unsigned.
  mulhu64(x, d, alo, ahi, blo, bhi);
  if (ahi < 0) sub64(x, d, x[d]!, x[d + 1]!, blo, bhi);
  if (bhi < 0) sub64(x, d, x[d]!, x[d + 1]!, alo, ahi);
}

/** x[d..d+1] = high 64 bits of signed a x unsigned b (MULHSU). */
export function mulhsu64(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number): void {
  mulhu64(x, d, alo, ahi, blo, bhi);
  if (ahi < 0) sub64(x, d, x[d]!, x[d + 1]!, blo, bhi);
}

// Unsigned 64-bit division results, written by udivrem64.
let qLo = 0, qHi = 0, rLo = 0, rHi = 0;

/** Unsigned a / b and a % b into qLo/qHi/rLo/rHi; b must be nonzero. */
function udivrem64(alo: number, ahi: number, blo: number, bhi: number): void {
  const ah = ahi >>> 0, bh = bhi >>> 0;
  if (ah < 0x200000 && bh < 0x200000) {
    // Both below 2^53: double division is exact after flooring (a, b < 2^53
    // cannot round a non-integer quotient up to the next integer).
    const a = ah * TWO32 + (alo >>> 0);
    const b = bh * TWO32 + (blo >>> 0);
    const q = Math.floor(a / b);
    const r = a - q * b;
    qLo = q | 0; qHi = Math.floor(q / TWO32) | 0;
    rLo = r | 0; rHi = Math.floor(r / TWO32) | 0;
    return;
  }
  if (bh === 0) {
    // 32-bit divisor: schoolbook long division by one 32-bit digit, then two
    // 16-bit digits. The partial remainder r < b < 2^32 keeps r * 2^16 + digit
    // below 2^48, exact in a double, and each 16-bit quotient digit < 2^16.
    const b = blo >>> 0;
    const q2 = Math.floor(ah / b);
    let r = ah - q2 * b;
    let t = r * 65536 + (alo >>> 16);
    const q1 = Math.floor(t / b);
    r = t - q1 * b;
    t = r * 65536 + (alo & 0xffff);
    const q0 = Math.floor(t / b);
    qHi = q2 | 0;
    qLo = (q1 * 65536 + q0) | 0;
    rLo = (t - q0 * b) | 0;
    rHi = 0;
    return;
  }
  // Divisor >= 2^32, so the quotient is < 2^32. A double estimate of a / b is
  // within 1 of it (both operands carry a relative error <= 2^-53 and the
  // quotient has at most 32 bits); fix it up against the exact product q * b.
  let q = Math.floor((ah * TWO32 + (alo >>> 0)) / (bh * TWO32 + (blo >>> 0)));
  if (q > 0xffffffff) q = 0xffffffff;
  for (;;) {
    // p = q * b as three 32-bit limbs top:mid:low (q < 2^32, b < 2^64).
    const pLow = Math.imul(q, blo);
    const mid = (Math.imul(q, bhi) >>> 0) + (mulhu32(q, blo >>> 0) >>> 0);
    const pMid = mid | 0;
    const pTop = (mulhu32(q, bh) >>> 0) + (mid >= TWO32 ? 1 : 0);
    if (pTop !== 0 || ltu64(alo, ahi, pLow, pMid)) {
      q--; // estimate one too big
      continue;
    }
    // r = a - p, now known to be >= 0.
    let rl = (alo - pLow) | 0;
    let rh = (ahi - pMid - ((alo >>> 0) < (pLow >>> 0) ? 1 : 0)) | 0;
    if (!ltu64(rl, rh, blo, bhi)) {
      // estimate one too small
      const l = (rl - blo) | 0;
      rh = (rh - bhi - ((rl >>> 0) < (blo >>> 0) ? 1 : 0)) | 0;
      rl = l;
      q++;
    }
    qLo = q | 0;
    qHi = 0;
    rLo = rl;
    rHi = rh;
    return;
  }
}

/** x[d..d+1] = a / b unsigned (DIVU); b = 0 gives all ones. */
export function divu64(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number): void {
  if ((blo | bhi) === 0) {
    x[d] = -1;
    x[d + 1] = -1;
    return;
  }
  udivrem64(alo, ahi, blo, bhi);
  x[d] = qLo;
  x[d + 1] = qHi;
}

/** x[d..d+1] = a % b unsigned (REMU); b = 0 gives a. */
export function remu64(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number): void {
  if ((blo | bhi) === 0) {
    x[d] = alo;
    x[d + 1] = ahi;
    return;
  }
  udivrem64(alo, ahi, blo, bhi);
  x[d] = rLo;
  x[d + 1] = rHi;
}

// |a| of a signed 64-bit value as unsigned halves (|MIN| = 2^63 reads correctly unsigned).
let absLo = 0, absHi = 0;
function abs64(lo: number, hi: number): void {
  if (hi < 0) {
    absLo = -lo | 0;
    absHi = (~hi + (lo === 0 ? 1 : 0)) | 0;
  } else {
    absLo = lo;
    absHi = hi;
  }
}

/** x[d..d+1] = -(lo, hi) (mod 2^64). */
function neg64(x: Int32Array, d: number, lo: number, hi: number): void {
  x[d] = -lo | 0;
  x[d + 1] = (~hi + (lo === 0 ? 1 : 0)) | 0;
}

/** x[d..d+1] = a / b signed, rounding toward zero (DIV); b = 0 gives -1, MIN / -1 gives MIN. */
export function div64(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number): void {
  if ((blo | bhi) === 0) {
    x[d] = -1;
    x[d + 1] = -1;
    return;
  }
  abs64(blo, bhi);
  const bl = absLo, bh = absHi;
  abs64(alo, ahi);
  udivrem64(absLo, absHi, bl, bh); // MIN / -1: 2^63 / 1 = 2^63, negated back to MIN
  if ((ahi ^ bhi) < 0) neg64(x, d, qLo, qHi);
  else {
    x[d] = qLo;
    x[d + 1] = qHi;
  }
}

/** x[d..d+1] = a % b signed, with the sign of a (REM); b = 0 gives a, MIN % -1 gives 0. */
export function rem64(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number): void {
  if ((blo | bhi) === 0) {
    x[d] = alo;
    x[d + 1] = ahi;
    return;
  }
  abs64(blo, bhi);
  const bl = absLo, bh = absHi;
  abs64(alo, ahi);
  udivrem64(absLo, absHi, bl, bh);
  if (ahi < 0) neg64(x, d, rLo, rHi);
  else {
    x[d] = rLo;
    x[d + 1] = rHi;
  }
}

// The W forms compute on the low 32 bits and sign-extend the 32-bit result (RV64I 4.2, M 7.1-7.2).

/** Writes the int32 v sign-extended to 64 bits. */
export function setW(x: Int32Array, d: number, v: number): void {
  x[d] = v;
  x[d + 1] = v >> 31;
}

/** DIVW: b = 0 gives -1; MIN32 / -1 gives MIN32. */
export function divw(a: number, b: number): number {
  if (b === 0) return -1;
  if (b === -1) return -a | 0; // also maps MIN32 to MIN32
  return (a / b) | 0; // |0 truncates toward zero
}

/** DIVUW: b = 0 gives all ones (sign-extended: -1). */
export function divuw(a: number, b: number): number {
  if (b === 0) return -1;
  return ((a >>> 0) / (b >>> 0)) | 0;
}

/** REMW: b = 0 gives a; MIN32 % -1 gives 0. */
export function remw(a: number, b: number): number {
  if (b === 0) return a;
  if (b === -1) return 0;
  return a % b | 0;
}

/** REMUW: b = 0 gives a. */
export function remuw(a: number, b: number): number {
  if (b === 0) return a;
  return ((a >>> 0) % (b >>> 0)) | 0;
}

// Reports of 64-bit values (fault addresses, pc, sp), off the hot path. A
// double holds only 53 bits, so an address such as 0xffff88803ffffff8 must
// travel as its halves (or a bigint) all the way to where it is printed.

/** hi:lo as an unsigned 64-bit bigint (siginfo's si_addr, the debugger's fault log). */
export function u64Big(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** hi:lo as unsigned hex without leading zeros, as C's %lx prints an unsigned long; no BigInt. */
export function hex64(lo: number, hi: number): string {
  return hi === 0 ? (lo >>> 0).toString(16) : (hi >>> 0).toString(16) + (lo >>> 0).toString(16).padStart(8, '0');
}

/** hi:lo as 16 hex digits, as C's %016lx (and Linux's %px) print it. */
export function hex64Padded(lo: number, hi: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

/** The low 32 bits of a 64-bit bigint, as an int32 half. */
export function bigLo(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

/** Bits 63:32 of a 64-bit bigint, as an int32 half. */
export function bigHi(v: bigint): number {
  return Number(BigInt.asIntN(32, v >> 32n));
}
