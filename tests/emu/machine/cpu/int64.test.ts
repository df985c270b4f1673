// The hi/lo int64 helpers against a BigInt oracle: thousands of random
// values (fast-check biases toward small and boundary values) plus the edge
// cases of the RISC-V M extension (table 7.1).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add64, div64, divu64, divuw, divw, lt64, ltu64, mul64, mulh64, mulhsu64, mulhu64, mulhu32,
  rem64, remu64, remuw, remw, sll64, sra64, srl64, sub64, hex64, hex64Padded, u64Big,
} from '../../../../emu/machine/cpu/int64';

const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const lo = (v: bigint): number => Number(BigInt.asIntN(32, v));
const hi = (v: bigint): number => Number(BigInt.asIntN(32, v >> 32n));

const EDGES = [
  0n, 1n, 2n, 3n, M64, M64 - 1n, 1n << 63n, (1n << 63n) - 1n, (1n << 63n) + 1n, 1n << 32n, (1n << 32n) - 1n,
  (1n << 32n) + 1n, 0x7fffffffn, 0x80000000n, 1n << 53n, (1n << 53n) - 1n, (1n << 53n) + 1n, 1n << 21n,
  (1n << 21n) - 1n, 0xdeadbeefcafebaben, 0x123456789abcdefn, u64(-7n), 7n, 10n,
].map(u64);

// Mostly uniform 64-bit values, sometimes an edge value, sometimes a small one.
const val = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt({ min: 0n, max: M64 }) },
  { weight: 2, arbitrary: fc.constantFrom(...EDGES) },
  { weight: 2, arbitrary: fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }).map(u64) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: (1n << 22n) }) },
);

type Binary = (x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number) => void;

function run2(fn: Binary, a: bigint, b: bigint): bigint {
  const x = new Int32Array(4);
  fn(x, 2, lo(a), hi(a), lo(b), hi(b));
  return (BigInt(x[3]!) << 32n) | BigInt(x[2]! >>> 0);
}

const RUNS = { numRuns: 4000 };

function checkBinary(name: string, fn: Binary, oracle: (a: bigint, b: bigint) => bigint): void {
  it(`${name} matches BigInt on random and edge values`, () => {
    for (const a of EDGES) for (const b of EDGES) expect(u64(run2(fn, a, b)), `${name}(${a}, ${b})`).toBe(u64(oracle(a, b)));
    fc.assert(fc.property(val, val, (a, b) => u64(run2(fn, a, b)) === u64(oracle(a, b))), RUNS);
  });
}

const divS = (a: bigint, b: bigint): bigint => {
  const sa = s64(a), sb = s64(b);
  if (sb === 0n) return -1n;
  if (sa === -(1n << 63n) && sb === -1n) return sa;
  return sa / sb; // BigInt division truncates toward zero, as RISC-V
};
const remS = (a: bigint, b: bigint): bigint => {
  const sa = s64(a), sb = s64(b);
  if (sb === 0n) return sa;
  if (sa === -(1n << 63n) && sb === -1n) return 0n;
  return sa % sb;
};

describe('int64 helpers', () => {
  checkBinary('add64', add64, (a, b) => a + b);
  checkBinary('sub64', sub64, (a, b) => a - b);
  checkBinary('mul64', mul64, (a, b) => a * b);
  checkBinary('mulhu64', mulhu64, (a, b) => (a * b) >> 64n);
  checkBinary('mulh64', mulh64, (a, b) => (s64(a) * s64(b)) >> 64n);
  checkBinary('mulhsu64', mulhsu64, (a, b) => (s64(a) * b) >> 64n);
  checkBinary('divu64', divu64, (a, b) => (b === 0n ? M64 : a / b));
  checkBinary('remu64', remu64, (a, b) => (b === 0n ? a : a % b));
  checkBinary('div64', div64, divS);
  checkBinary('rem64', rem64, remS);

  it('has the exact M-extension edge cases of table 7.1', () => {
    const MIN = 1n << 63n;
    expect(run2(div64, MIN, M64)).toBe(-(1n << 63n)); // MIN / -1 = MIN
    expect(run2(rem64, MIN, M64)).toBe(0n);
    expect(run2(div64, 5n, 0n)).toBe(-1n);
    expect(run2(rem64, u64(-5n), 0n)).toBe(-5n);
    expect(run2(divu64, 5n, 0n)).toBe(-1n);
    expect(run2(remu64, M64, 0n)).toBe(-1n);
    expect(run2(div64, u64(-7n), 2n)).toBe(-3n);
    expect(run2(rem64, u64(-7n), 2n)).toBe(-1n);
    expect(run2(rem64, 7n, u64(-2n))).toBe(1n);
    expect(run2(divu64, M64, 1n << 63n)).toBe(1n);
    expect(run2(remu64, M64, (1n << 63n) + 1n)).toBe(s64((1n << 63n) - 2n));
  });

  it('divides exactly when the remainder is at either end (the estimate-and-fix paths)', () => {
    const wide = fc.oneof(fc.bigInt({ min: 1n << 32n, max: M64 }), fc.bigInt({ min: 1n, max: (1n << 32n) - 1n }));
    fc.assert(
      fc.property(wide, fc.bigInt({ min: 0n, max: M64 }), fc.constantFrom('zero', 'max', 'any'), fc.bigInt({ min: 0n, max: M64 }),
        (b, qSeed, where, rSeed) => {
          const q = qSeed % (M64 / b + 1n);
          const r = where === 'zero' ? 0n : where === 'max' ? b - 1n : rSeed % b;
          const a = q * b + r;
          if (a > M64) return true;
          return run2(divu64, a, b) === s64(q) && run2(remu64, a, b) === s64(r);
        }),
      RUNS,
    );
  });

  it('mulhu32 gives the high half of 32x32 products', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (a, b) =>
        mulhu32(a, b) === Number(BigInt.asIntN(32, (BigInt(a) * BigInt(b)) >> 32n)),
      ),
      RUNS,
    );
    expect(mulhu32(0xffffffff, 0xffffffff)).toBe(0xfffffffe | 0);
  });

  it('compares signed and unsigned', () => {
    const cmp = (a: bigint, b: bigint): void => {
      expect(lt64(lo(a), hi(a), lo(b), hi(b)), `lt ${a} ${b}`).toBe(s64(a) < s64(b));
      expect(ltu64(lo(a), hi(a), lo(b), hi(b)), `ltu ${a} ${b}`).toBe(a < b);
    };
    for (const a of EDGES) for (const b of EDGES) cmp(a, b);
    fc.assert(fc.property(val, val, (a, b) => {
      cmp(a, b);
      return true;
    }), RUNS);
  });

  it('shifts by the low 6 bits of the amount', () => {
    const shift = (fn: typeof sll64, a: bigint, sh: number): bigint => {
      const x = new Int32Array(2);
      fn(x, 0, lo(a), hi(a), sh);
      return u64((BigInt(x[1]!) << 32n) | BigInt(x[0]! >>> 0));
    };
    const check = (a: bigint, sh: number): void => {
      const s = BigInt(sh & 63);
      expect(shift(sll64, a, sh), `sll ${a} ${sh}`).toBe(u64(a << s));
      expect(shift(srl64, a, sh), `srl ${a} ${sh}`).toBe(a >> s);
      expect(shift(sra64, a, sh), `sra ${a} ${sh}`).toBe(u64(s64(a) >> s));
    };
    for (const a of EDGES) for (let sh = 0; sh < 130; sh++) check(a, sh);
    fc.assert(fc.property(val, fc.integer(), (a, sh) => {
      check(a, sh);
      return true;
    }), RUNS);
  });

  it('does the W divisions with sign-extended 32-bit results', () => {
    const i32 = fc.oneof(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.constantFrom(0, 1, -1, -0x80000000, 0x7fffffff, 2, -2));
    const s32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
    fc.assert(
      fc.property(i32, i32, (a, b) => {
        const A = BigInt(a), B = BigInt(b), UA = BigInt(a >>> 0), UB = BigInt(b >>> 0);
        expect(divw(a, b)).toBe(b === 0 ? -1 : a === -0x80000000 && b === -1 ? a : s32(A / B));
        expect(remw(a, b)).toBe(b === 0 ? a : a === -0x80000000 && b === -1 ? 0 : s32(A % B));
        expect(divuw(a, b)).toBe(b === 0 ? -1 : s32(UA / UB));
        expect(remuw(a, b)).toBe(b === 0 ? a : s32(UA % UB));
        return true;
      }),
      RUNS,
    );
    expect(divw(-0x80000000, -1)).toBe(-0x80000000);
    expect(remw(-0x80000000, -1)).toBe(0);
    expect(divuw(-1, 2)).toBe(0x7fffffff);
  });

  it('reports 64-bit values exactly: as a bigint, as %lx and as %016lx', () => {
    const check = (a: bigint): void => {
      expect(u64Big(lo(a), hi(a))).toBe(a);
      expect(hex64(lo(a), hi(a))).toBe(a.toString(16));
      expect(hex64Padded(lo(a), hi(a))).toBe(a.toString(16).padStart(16, '0'));
    };
    for (const a of EDGES) check(a);
    fc.assert(fc.property(val, (a) => {
      check(a);
      return true;
    }), RUNS);
    // Above 2^53 a double would round: 0xffff88803ffffff8 is not 0xffff888040000000.
    expect(hex64(0x3ffffff8, 0xffff8880 | 0)).toBe('ffff88803ffffff8');
  });
});
