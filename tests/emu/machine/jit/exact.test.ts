// Tier 1 where exactness is hardest, each case run under both tiers with
// runBoth (diff.ts: every stop compared, TLB and statistics included):
// code rewritten by the guest inside a hot loop and by the host between
// runs, a page whose write permission flips inside a hot loop, the M
// extension's corner cases, x0, counters, budgets that end inside regions.
import { describe, expect, it } from 'vitest';
import { Stop } from '../../../../emu/machine/cpu/cpu';
import { PTE_NX, PTE_RW, PTE_US } from '../../../../emu/machine/mmu/paging';
import { PageSize } from '../../../../emu/machine/pagetable-builder';
import { DATA, ins } from '../../../support/machine';
import type { MachineRun } from '../../../support/machine';
import { runBoth } from './diff';

/** A user page that is writable and executable, for self-modifying code. */
const RWX = 0x400000;

function exitOnEcall(r: MachineRun, stop: Stop): boolean {
  void r;
  void stop;
  return false;
}

describe('self-modifying code', () => {
  it('a store into the running region\'s page takes effect at the next instruction', () => {
    // a0 counts iterations; at iteration 300 the loop rewrites its own `addi a1, a1, 1` into `addi a1, a1, 100`.
    const patched = ins('addi', 'a1', 'a1', 100);
    const prog = [
      ins('lui', 't0', RWX >> 12), //             t0 = RWX
      ins('addi', 'a0', 'zero', 0),
      ins('addi', 't1', 'zero', 600),
      ins('lui', 't2', (patched >>> 12) + ((patched & 0x800) !== 0 ? 1 : 0)), // t2 = patched word
      ins('addi', 't2', 't2', ((patched & 0xfff) << 20) >> 20),
      ins('addi', 't3', 'zero', 300),
      ins('jalr', 'zero', 0, 't0'), //           to RWX
    ];
    const loop = [
      ins('addi', 'a1', 'a1', 1), //             RWX+0: the instruction rewritten
      ins('addi', 'a0', 'a0', 1),
      ins('bne', 'a0', 't3', 8),
      ins('sw', 't2', 0, 't0'), //                 at iteration 300
      ins('bne', 'a0', 't1', -16),
      ins('ecall'),
    ];
    const setup = (r: MachineRun): void => {
      r.mapPages(RWX, 1, PTE_US | PTE_RW);
      r.poke(RWX, new Uint8Array(new Int32Array(loop).buffer));
    };
    for (const budgets of [[1_000_000], [7], [1, 2, 3, 50]]) {
      const { t1, tier1 } = runBoth(prog, { budgets, setup, onStop: exitOnEcall, maxRuns: 5000 });
      expect(t1.m.cpu.reg(11)).toBe(300n + 300n * 100n);
      // Compiled code ran across the rewrite (old words before it, new words after it).
      expect(tier1.stats.regionRetired).toBeGreaterThan(1000);
    }
  });

  it('code the host writes between runs (a debugger poke, a loader) replaces the compiled region', () => {
    const prog = [ins('addi', 'a0', 'a0', 1), ins('jal', 'zero', -4)];
    const { t1, tier1 } = runBoth(prog, {
      budgets: [1000],
      maxRuns: 20,
      between: (r, run) => {
        if (run === 9) r.poke(0x10000, new Uint8Array(new Int32Array([ins('addi', 'a0', 'a0', 3)]).buffer));
      },
    });
    // 10 runs of 1000 instructions add 1 per 2-instruction iteration, 10 more add 3.
    expect(t1.m.cpu.reg(10)).toBe(5000n + 15000n);
    expect(tier1.stats.invalidated).toBeGreaterThan(0);
  });
});

describe('a page whose permissions change inside a hot loop', () => {
  it('faults, is fixed, faults again: identical faults, TLB contents and statistics', () => {
    // Store to DATA in a loop; every 5th run the page becomes read-only (with INVLPG), and the fault handler makes it writable again.
    const prog = [
      ins('lui', 't0', DATA >> 12),
      ins('addi', 'a0', 'zero', 0),
      ins('sd', 'a0', 0, 't0'),
      ins('ld', 'a1', 0, 't0'),
      ins('addi', 'a0', 'a0', 1),
      ins('jal', 'zero', -12),
    ];
    const setFlags = (r: MachineRun, flags: bigint): void => {
      r.pt.map(DATA, r.pa(DATA), PageSize.Size4K, flags);
      r.m.mmu.invlpg(DATA, 0);
    };
    let faults = 0;
    const { tier1 } = runBoth(prog, {
      budgets: [997, 13],
      maxRuns: 200,
      onStop: (r, stop) => {
        if (stop !== Stop.Trap) return false;
        faults++;
        setFlags(r, BigInt(PTE_US | PTE_RW) | PTE_NX);
        return true;
      },
      between: (r, run) => {
        if (run % 5 === 4) setFlags(r, BigInt(PTE_US) | PTE_NX);
      },
    });
    expect(faults).toBeGreaterThan(20);
    expect(tier1.stats.regionRetired).toBeGreaterThan(10_000);
  });
});

describe('values', () => {
  const M = ['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw',
    'addw', 'subw', 'sllw', 'srlw', 'sraw', 'sll', 'srl', 'sra', 'slt', 'sltu'];
  const V = [0n, 1n, -1n, 2n, -2n, 3n, 31n, 32n, 63n, 64n, 0x7fffffffn, -0x80000000n, 0x80000000n, 0xffffffffn, (1n << 63n) - 1n, -(1n << 63n), 0x123456789abcdefn];
  it('M extension and shift corner cases, into x0 too, match the interpreter', () => {
    // For every pair of values in a0/a1, apply each op into a2..a7/s*, in a loop run twice so it is compiled.
    const body = M.map((m, i) => ins(m, [12, 13, 14, 15, 16, 17, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 5, 6, 7, 0, 1][i]!, 10, 11));
    const prog = [...body, ins('addi', 'tp', 'tp', 1), ins('bne', 'tp', 'gp', -4 * (body.length + 1)), ins('ecall')];
    for (const a of V) {
      for (const b of [V[0]!, V[2]!, V[4]!, V[10]!, V[11]!, V[15]!, V[16]!, V[8]!]) {
        runBoth(prog, {
          hotThreshold: 1,
          setup: (r) => {
            r.m.cpu.setReg(10, a);
            r.m.cpu.setReg(11, b);
            r.m.cpu.setReg(3, 3n);
          },
          onStop: exitOnEcall,
        });
      }
    }
  });
});

describe('calls and returns', () => {
  // Recursive fib: jal calls and jalr returns to the call sites, all in one page, so one region runs it all.
  const FIB = `
_start:
        li      a0, 12
        call    fib
        ecall
fib:
        li      t0, 2
        blt     a0, t0, 1f
        addi    sp, sp, -16
        sd      ra, 8(sp)
        sd      a0, 0(sp)
        addi    a0, a0, -1
        call    fib
        ld      t1, 0(sp)
        sd      a0, 0(sp)
        addi    a0, t1, -2
        call    fib
        ld      t1, 0(sp)
        add     a0, a0, t1
        ld      ra, 8(sp)
        addi    sp, sp, 16
1:      ret
`;
  it('returns to a call site stay inside the region, with every budget', () => {
    for (const budgets of [[1_000_000], [13], [1, 2, 3, 50]]) {
      const { t1, tier1 } = runBoth(FIB, { budgets, onStop: exitOnEcall, maxRuns: 10_000, memory: [[0x7fffd000, 8192]] });
      expect(t1.m.cpu.reg(10)).toBe(144n);
      if (budgets[0] === 1_000_000) expect(tier1.stats.regionRuns, JSON.stringify(tier1.stats)).toBeLessThan(5); // not one region run per return
    }
  });
});
