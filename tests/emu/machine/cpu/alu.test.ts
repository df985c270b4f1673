// Integer instructions (RV64I chapter 4, M chapter 7): exact values for the
// edge cases, then every register-register and register-immediate form
// against a BigInt reference over random operands.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ins, machine } from '../../../support/machine';
import type { MachineRun } from '../../../support/machine';

const MASK64 = (1n << 64n) - 1n;
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const sext32 = (v: bigint): bigint => BigInt.asIntN(32, v);
const u32 = (v: bigint): bigint => BigInt.asUintN(32, v);
const MIN = -(1n << 63n);
const MIN32 = -(1n << 31n);

/** The RV64IM result of `op rd, a, b` (b is the sign-extended immediate for I forms). */
const REF: Record<string, (a: bigint, b: bigint) => bigint> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  sll: (a, b) => a << (u64(b) & 63n),
  slt: (a, b) => (a < b ? 1n : 0n),
  sltu: (a, b) => (u64(a) < u64(b) ? 1n : 0n),
  xor: (a, b) => a ^ b,
  srl: (a, b) => u64(a) >> (u64(b) & 63n),
  sra: (a, b) => a >> (u64(b) & 63n),
  or: (a, b) => a | b,
  and: (a, b) => a & b,
  addw: (a, b) => sext32(a + b),
  subw: (a, b) => sext32(a - b),
  sllw: (a, b) => sext32(a << (u64(b) & 31n)),
  srlw: (a, b) => sext32(u32(a) >> (u64(b) & 31n)),
  sraw: (a, b) => sext32(a) >> (u64(b) & 31n),
  mul: (a, b) => a * b,
  mulh: (a, b) => (a * b) >> 64n,
  mulhsu: (a, b) => (a * u64(b)) >> 64n,
  mulhu: (a, b) => (u64(a) * u64(b)) >> 64n,
  div: (a, b) => (b === 0n ? -1n : a === MIN && b === -1n ? MIN : a / b),
  divu: (a, b) => (b === 0n ? MASK64 : u64(a) / u64(b)),
  rem: (a, b) => (b === 0n ? a : a === MIN && b === -1n ? 0n : a % b),
  remu: (a, b) => (b === 0n ? a : u64(a) % u64(b)),
  mulw: (a, b) => sext32(a * b),
  divw: (a, b) => {
    const x = sext32(a), y = sext32(b);
    return y === 0n ? -1n : x === MIN32 && y === -1n ? MIN32 : sext32(x / y);
  },
  divuw: (a, b) => (u32(b) === 0n ? -1n : sext32(u32(a) / u32(b))),
  remw: (a, b) => {
    const x = sext32(a), y = sext32(b);
    return y === 0n ? x : x === MIN32 && y === -1n ? 0n : sext32(x % y);
  },
  remuw: (a, b) => (u32(b) === 0n ? sext32(a) : sext32(u32(a) % u32(b))),
  addi: (a, b) => a + b,
  slti: (a, b) => (a < b ? 1n : 0n),
  sltiu: (a, b) => (u64(a) < u64(b) ? 1n : 0n),
  xori: (a, b) => a ^ b,
  ori: (a, b) => a | b,
  andi: (a, b) => a & b,
  slli: (a, b) => a << b,
  srli: (a, b) => u64(a) >> b,
  srai: (a, b) => a >> b,
  addiw: (a, b) => sext32(a + b),
  slliw: (a, b) => sext32(a << b),
  srliw: (a, b) => sext32(u32(a) >> b),
  sraiw: (a, b) => sext32(a) >> b,
};

const RR = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw', 'srlw',
  'sraw', 'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw'];
const RI = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw'];
const SH6 = ['slli', 'srli', 'srai'];
const SH5 = ['slliw', 'srliw', 'sraiw'];

/** One reusable machine: rewrites the single instruction before each run. */
let shared: MachineRun | undefined;
function exec(word: number, regs: Record<string, bigint>): MachineRun {
  shared ??= machine([0, 0]);
  return shared.load([word, ins('ecall')]).regs(regs).run().expectEcall(1);
}

function rr(op: string, a: bigint, b: bigint): bigint {
  return exec(ins(op, 'a0', 'a1', 'a2'), { a1: a, a2: b }).cpu.reg(10);
}
function ri(op: string, a: bigint, imm: number): bigint {
  return exec(ins(op, 'a0', 'a1', imm), { a1: a }).cpu.reg(10);
}

const EDGE = [0n, 1n, -1n, 2n, -2n, MIN, MIN + 1n, -MIN - 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n,
  MIN32, -0x80000001n, 0x123456789abcdef0n, -0x123456789abcdef0n, 63n, 64n, 31n, 32n];
const word64 = fc.oneof(fc.bigInt({ min: MIN, max: -MIN - 1n }), fc.constantFrom(...EDGE), fc.bigInt({ min: -300n, max: 300n }));

describe('integer instructions against a BigInt reference', () => {
  for (const op of RR) {
    it(`${op} rd, rs1, rs2`, () => {
      for (const a of EDGE) for (const b of EDGE) expect(rr(op, a, b), `${op} ${a} ${b}`).toBe(s64(REF[op]!(a, b)));
      fc.assert(fc.property(word64, word64, (a, b) => rr(op, a, b) === s64(REF[op]!(a, b))), { numRuns: 300 });
    });
  }
  for (const op of RI) {
    it(`${op} rd, rs1, imm12`, () => {
      const imms = [0, 1, -1, 2047, -2048, 0x7ff, 5, -5];
      for (const a of EDGE) for (const i of imms) expect(ri(op, a, i), `${op} ${a} ${i}`).toBe(s64(REF[op]!(a, BigInt(i))));
      fc.assert(fc.property(word64, fc.integer({ min: -2048, max: 2047 }), (a, i) =>
        ri(op, a, i) === s64(REF[op]!(a, BigInt(i)))), { numRuns: 300 });
    });
  }
  for (const [ops, max] of [[SH6, 63], [SH5, 31]] as const) {
    for (const op of ops) {
      it(`${op} rd, rs1, shamt (every amount 0..${max})`, () => {
        for (const a of EDGE) for (let s = 0; s <= max; s++) expect(ri(op, a, s), `${op} ${a} ${s}`).toBe(s64(REF[op]!(a, BigInt(s))));
      });
    }
  }
});

describe('integer instructions: exact values', () => {
  it('lui and auipc place a 20-bit immediate, sign-extended from bit 31', () => {
    expect(exec(ins('lui', 'a0', 0x12345), {}).cpu.reg(10)).toBe(0x12345000n);
    expect(exec(ins('lui', 'a0', 0x80000), {}).cpu.reg(10)).toBe(-0x80000000n);
    expect(exec(ins('lui', 'a0', 0xfffff), {}).cpu.reg(10)).toBe(-0x1000n);
    expect(exec(ins('auipc', 'a0', 1), {}).cpu.reg(10)).toBe(0x10000n + 0x1000n);
    expect(exec(ins('auipc', 'a0', 0xfffff), {}).cpu.reg(10)).toBe(0x10000n - 0x1000n);
    expect(exec(ins('auipc', 'a0', 0x80000), {}).cpu.reg(10)).toBe(0x10000n - 0x80000000n);
  });

  it('keeps x0 zero whatever is written to it', () => {
    for (const w of [ins('addi', 'zero', 'zero', 5), ins('lui', 'zero', 1), ins('add', 'zero', 'a1', 'a1'),
      ins('mul', 'zero', 'a1', 'a1'), ins('addiw', 'zero', 'a1', 1), ins('auipc', 'zero', 3)]) {
      const m = exec(w, { a1: 7n });
      expect(m.cpu.reg(0)).toBe(0n);
      expect(m.cpu.x[0]).toBe(0);
      expect(m.cpu.x[1]).toBe(0);
    }
    expect(rr('add', 0n, 0n)).toBe(0n);
    expect(exec(ins('add', 'a0', 'zero', 'a1'), { a1: 9n }).cpu.reg(10)).toBe(9n);
  });

  it('sign-extends every W result from bit 31', () => {
    expect(ri('addiw', 0x7fffffffn, 1)).toBe(-0x80000000n);
    expect(ri('addiw', 0xffffffffn, 0)).toBe(-1n); // sext.w
    expect(ri('addiw', 0x1_0000_0005n, 0)).toBe(5n);
    expect(rr('addw', 0x40000000n, 0x40000000n)).toBe(-0x80000000n);
    expect(rr('subw', 0n, 1n)).toBe(-1n);
    expect(ri('slliw', 1n, 31)).toBe(-0x80000000n);
    expect(ri('srliw', -1n, 0)).toBe(-1n); // shift by 0 still sign-extends bit 31
    expect(ri('srliw', -1n, 1)).toBe(0x7fffffffn);
    expect(ri('sraiw', 0x80000000n, 4)).toBe(-0x8000000n);
    expect(rr('mulw', 0x10000n, 0x8000n)).toBe(-0x80000000n);
    expect(rr('divuw', 0xffffffffn, 1n)).toBe(-1n);
    expect(rr('remuw', 0x80000000n, 0n)).toBe(-0x80000000n);
  });

  it('masks register shift amounts to 6 bits (5 for W)', () => {
    expect(rr('sll', 1n, 64n)).toBe(1n);
    expect(rr('sll', 1n, 65n)).toBe(2n);
    expect(rr('srl', MIN, 63n + 64n)).toBe(1n);
    expect(rr('sra', MIN, -1n)).toBe(-1n);
    expect(rr('sllw', 1n, 32n)).toBe(1n);
    expect(rr('srlw', 0x80000000n, 33n)).toBe(0x40000000n);
    expect(rr('sraw', 0x80000000n, 63n)).toBe(-1n);
  });

  it('compares signed and unsigned, with sltiu sign-extending its immediate', () => {
    expect(rr('slt', -1n, 0n)).toBe(1n);
    expect(rr('sltu', -1n, 0n)).toBe(0n);
    expect(ri('sltiu', 5n, -1)).toBe(1n); // 5 < 0xffff_ffff_ffff_ffff
    expect(ri('sltiu', 0n, 1)).toBe(1n); // seqz
    expect(ri('slti', MIN, -2048)).toBe(1n);
    expect(rr('sltu', 0x100000000n, 0xffffffffn)).toBe(0n);
  });

  it('has the M-extension division edge cases (table 7.1)', () => {
    expect(rr('div', 7n, 0n)).toBe(-1n);
    expect(rr('divu', 7n, 0n)).toBe(-1n);
    expect(rr('rem', -7n, 0n)).toBe(-7n);
    expect(rr('remu', 7n, 0n)).toBe(7n);
    expect(rr('div', MIN, -1n)).toBe(MIN);
    expect(rr('rem', MIN, -1n)).toBe(0n);
    expect(rr('divw', MIN32, -1n)).toBe(MIN32);
    expect(rr('remw', MIN32, -1n)).toBe(0n);
    expect(rr('divw', 7n, 0n)).toBe(-1n);
    expect(rr('remw', 0x1_8000_0000n, 0n)).toBe(MIN32); // the sign-extended low word
    expect(rr('div', -7n, 2n)).toBe(-3n);
    expect(rr('rem', -7n, 2n)).toBe(-1n);
    expect(rr('mulh', -1n, -1n)).toBe(0n);
    expect(rr('mulhu', -1n, -1n)).toBe(-2n);
    expect(rr('mulhsu', -1n, -1n)).toBe(-1n);
    expect(rr('mul', 0x100000001n, 0x100000001n)).toBe(0x200000001n);
  });

  it('lets rd equal a source register', () => {
    expect(exec(ins('add', 'a1', 'a1', 'a1'), { a1: 21n }).cpu.reg(11)).toBe(42n);
    expect(exec(ins('mulhu', 'a1', 'a1', 'a2'), { a1: -1n, a2: 16n }).cpu.reg(11)).toBe(15n);
    expect(exec(ins('rem', 'a2', 'a1', 'a2'), { a1: 17n, a2: 5n }).cpu.reg(12)).toBe(2n);
  });

  it('treats fence as a no-op that retires', () => {
    const m = exec(ins('fence'), { a0: 3n });
    expect(m.cpu.reg(10)).toBe(3n);
  });
});
