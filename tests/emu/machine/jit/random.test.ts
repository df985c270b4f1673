// Random instruction streams under both tiers (diff.ts): ALU, M, loads and
// stores through pointer registers aimed at mapped, read-only, supervisor,
// unmapped and page-crossing addresses, short branches and jumps (loops, so
// regions get compiled and re-entered), jalr, ecall, ebreak, counter reads
// and illegal words, run with odd budgets. A trap or ecall is stepped over,
// as the fuzz target does; the tiers must agree at every stop.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Stop } from '../../../../emu/machine/cpu/cpu';
import { CODE, DATA, HOLE, RO, SUP, ins } from '../../../support/machine';
import type { MachineRun } from '../../../support/machine';
import { runBoth } from './diff';

/** Pointer registers (s0, s1, s2, s3): loads and stores use them as bases and never overwrite them. */
const PTRS = [8, 9, 18, 19];
const DEST = Array.from({ length: 32 }, (_, r) => r).filter((r) => !PTRS.includes(r) && r !== 2);
const ALU_R = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw', 'srlw', 'sraw',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw'];
const ALU_I = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw'];
const SHIFT6 = ['slli', 'srli', 'srai'];
const SHIFT5 = ['slliw', 'srliw', 'sraiw'];
const LOADS = ['lb', 'lh', 'lw', 'ld', 'lbu', 'lhu', 'lwu'];
const STORES = ['sb', 'sh', 'sw', 'sd'];
const BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'];

const reg = fc.integer({ min: 0, max: 31 });
const dest = fc.constantFrom(...DEST);
const ptr = fc.constantFrom(...PTRS);
const imm12 = fc.oneof(fc.integer({ min: -2048, max: 2047 }), fc.constantFrom(0, -1, 1, 2047, -2048, 4, 8));
const memOff = fc.oneof(fc.integer({ min: -16, max: 16 }), fc.constantFrom(-1, 1, 3, 4092, 4093, 4095, -4));

function insnArb(n: number): fc.Arbitrary<(i: number) => number> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.tuple(fc.constantFrom(...ALU_R), dest, reg, reg).map(([m, d, a, b]) => () => ins(m, d, a, b)) },
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...ALU_I), dest, reg, imm12).map(([m, d, a, v]) => () => ins(m, d, a, v)) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...SHIFT6), dest, reg, fc.integer({ min: 0, max: 63 })).map(([m, d, a, v]) => () => ins(m, d, a, v)) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...SHIFT5), dest, reg, fc.integer({ min: 0, max: 31 })).map(([m, d, a, v]) => () => ins(m, d, a, v)) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('lui', 'auipc'), dest, fc.integer({ min: 0, max: 0xfffff })).map(([m, d, v]) => () => ins(m, d, v)) },
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...LOADS), dest, memOff, ptr).map(([m, d, o, p]) => () => ins(m, d, o, p)) },
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...STORES), reg, memOff, ptr).map(([m, s, o, p]) => () => ins(m, s, o, p)) },
    {
      weight: 5,
      arbitrary: fc.tuple(fc.constantFrom(...BRANCHES), reg, reg, fc.integer({ min: -12, max: 12 }), fc.constantFrom(0, 0, 0, 2))
        .map(([m, a, b, k, odd]) => (i: number) => ins(m, a, b, Math.max(-i, Math.min(n - i, k)) * 4 + odd)),
    },
    { weight: 1, arbitrary: fc.tuple(dest, fc.integer({ min: -8, max: 8 })).map(([d, k]) => (i: number) => ins('jal', d, Math.max(-i, Math.min(n - i, k)) * 4)) },
    { weight: 1, arbitrary: fc.tuple(dest, reg, imm12).map(([d, a, v]) => () => ins('jalr', d, v, a)) },
    { weight: 1, arbitrary: fc.constantFrom(() => ins('ecall'), () => ins('ebreak'), () => 0, () => ins('fence')) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('rdcycle', 'rdtime', 'rdinstret'), dest).map(([m, d]) => () => ins(m, d)) },
  );
}

const EDGE = [0n, 1n, -1n, 2n, 63n, 64n, 0x7fffffffn, -0x80000000n, 0x80000000n, 0xffffffffn, (1n << 63n) - 1n, -(1n << 63n), BigInt(CODE)];

const N = 48;
const program = fc.array(insnArb(N), { minLength: N, maxLength: N }).map((fs) => fs.map((f, i) => f(i)));
const regVals = fc.array(fc.oneof(fc.constantFrom(...EDGE), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })), { minLength: 32, maxLength: 32 });
const pointers = fc.array(fc.constantFrom(DATA, DATA + 4096 - 4, DATA + 8, HOLE - 8, HOLE, RO, SUP, DATA + 1, CODE), { minLength: 4, maxLength: 4 });

function setup(regs: bigint[], ptrs: number[]): (r: MachineRun) => void {
  return (r) => {
    for (let i = 1; i < 32; i++) if (i !== 2) r.m.cpu.setReg(i, regs[i]!);
    PTRS.forEach((p, i) => r.m.cpu.setReg(p, BigInt(ptrs[i]!)));
  };
}

/** Steps over whatever stopped the run, while pc stays in the program. */
function stepOver(r: MachineRun, _stop: Stop): boolean {
  const pc = r.m.cpu.pc;
  if (pc < BigInt(CODE) || pc >= BigInt(CODE + 4 * N)) return false;
  r.m.cpu.pc = pc + 4n;
  return true;
}

describe('random instruction streams, tier 0 vs tier 1', () => {
  it('agree at every stop, with every budget', () => {
    let retired = 0;
    fc.assert(
      fc.property(program, regVals, pointers, fc.constantFrom([5000], [1, 3, 50], [17], [999, 1]), (code, regs, ptrs, budgets) => {
        const t = performance.now();
        const res = runBoth(code, {
          budgets,
          maxRuns: 80,
          hotThreshold: 1,
          setup: setup(regs, ptrs),
          onStop: stepOver,
          memory: [[DATA, 4096], [HOLE - 4096, 4096]],
        });
        if (process.env.JITDBG) console.log(res.runs, res.tier1.stats.regions, Math.round(performance.now() - t));
        retired += res.tier1.stats.regionRetired;
      }),
      { numRuns: 40 },
    );
    // The comparison means something only if compiled code ran.
    expect(retired).toBeGreaterThan(10_000);
  });
});
