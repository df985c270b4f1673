// Chained exits (translate.ts emitChain): a region that leaves its page enters
// the next page's region directly, making the fetch translation the
// interpreter makes there (a micro-cache hit counted in the ITLB). Each case
// runs under both tiers with runBoth (diff.ts: every stop compared, ITLB
// contents, LRU stamps and statistics included), with budgets that stop
// inside and between the pages, and checks that chains were taken.
import { describe, expect, it } from 'vitest';
import { CODE, ins } from '../../../support/machine';
import type { MachineRun } from '../../../support/machine';
import { runBoth } from './diff';

/** Every ecall ends the case. */
const end = (): boolean => false;

/** `first` at word 0 of CODE, `second` at word 0 of the next page. */
function twoPages(first: number[], second: number[]): number[] {
  const words = new Array<number>(1024).fill(ins('ebreak'));
  words.splice(0, first.length, ...first);
  return [...words, ...second];
}

describe('chained exits', () => {
  it('calls and returns between two pages chain both ways, and stop exactly at every budget', () => {
    // A loop on the first page calls a function on the second (jal) and comes back (jalr).
    const prog = twoPages(
      [
        ins('addi', 't1', 'zero', 500),
        ins('jal', 'ra', 4096 - 4), // word 1 -> the next page's word 0
        ins('addi', 'a0', 'a0', 1),
        ins('bne', 'a0', 't1', -8),
        ins('ecall'),
      ],
      [ins('addi', 'a1', 'a1', 3), ins('slli', 'a2', 'a1', 1), ins('jalr', 'zero', 0, 'ra')],
    );
    for (const budgets of [[1_000_000], [7], [1, 2, 3, 50], [4096]]) {
      const { t1, tier1 } = runBoth(prog, { budgets, onStop: end, maxRuns: 10_000 });
      expect([t1.m.cpu.reg(10), t1.m.cpu.reg(11)]).toEqual([500n, 1500n]);
      if (budgets[0] === 1_000_000) {
        // Nearly every call and return chained; the run loop saw only the first few.
        expect(tier1.chains).toBeGreaterThan(900);
        expect(tier1.stats.regionRuns).toBeLessThan(20);
      }
    }
  });

  it('a fall-through from one page into the next chains, and an INVLPG of the next page between runs is honoured', () => {
    // Straight-line code runs off the end of the first page into the second, which jumps back.
    const first = new Array<number>(1024).fill(ins('addi', 'a1', 'a1', 1));
    first[0] = ins('addi', 't1', 'zero', 40);
    const prog = [
      ...first,
      ins('addi', 'a0', 'a0', 1),
      ins('beq', 'a0', 't1', 8),
      ins('jal', 'zero', (1 - 1026) * 4), // -> word 1 of the first page
      ins('ecall'),
    ];
    const between = (r: MachineRun, run: number): void => {
      if (run % 3 === 1) r.m.mmu.invlpg(CODE + 4096, 0);
    };
    for (const budgets of [[1_000_000], [97], [333, 5, 1]]) {
      const { t1, tier1 } = runBoth(prog, { budgets, onStop: end, maxRuns: 100_000, between });
      expect(t1.m.cpu.reg(10)).toBe(40n);
      if (budgets[0] === 1_000_000) expect(tier1.chains).toBeGreaterThan(60);
    }
  });
});
