// Frames that held compiled code, freed and handed out again (Machine.framesFreed,
// which the kernel's page allocator calls from free_pages): the region goes
// with the frame and the frame is no longer write-watched, whatever it holds
// next. The "kernel" here is the test: at each ecall it unmaps the page,
// frees the frame, and maps it again elsewhere with other code, then as data.
// Both tiers run with runBoth (diff.ts: every stop compared).
import { describe, expect, it } from 'vitest';
import { Stop } from '../../../../emu/machine/cpu/cpu';
import { PTE_NX, PTE_RW, PTE_US } from '../../../../emu/machine/mmu/paging';
import { PageSize } from '../../../../emu/machine/pagetable-builder';
import { ins } from '../../../support/machine';
import type { MachineRun } from '../../../support/machine';
import { runBoth } from './diff';
import { guestTest, runGuest } from '../../../support/kernel';
import type { GuestRun, RunOptions } from '../../../support/kernel';

const FN = 0x400000;
const FN2 = 0x500000;
const DATA2 = 0x600000;
const CALLS = 300;

// Calls the function at t0 CALLS times, ecall; again while s2 is 0; then stores a0 at s1 and
// s1 + 8 CALLS times, ecall.
const PROGRAM = [
  ins('lui', 't0', FN >> 12),
  ins('addi', 't3', 'zero', CALLS),
  ins('addi', 'a0', 'zero', 0), // 2: a phase of calls
  ins('jalr', 'ra', 0, 't0'),
  ins('addi', 'a0', 'a0', 1),
  ins('bne', 'a0', 't3', -8),
  ins('ecall'),
  ins('beq', 's2', 'zero', -20),
  ins('addi', 'a0', 'zero', 0), // 8: stores into the frame, now data
  ins('sd', 'a0', 0, 's1'),
  ins('sd', 'a0', 8, 's1'),
  ins('addi', 'a0', 'a0', 1),
  ins('bne', 'a0', 't3', -12),
  ins('ecall'),
];

const words = (ws: number[]): Uint8Array => new Uint8Array(new Int32Array(ws).buffer);

/** munmap + free_pages: the leaf entry cleared, INVLPG, the frame freed. */
function unmapAndFree(r: MachineRun, va: number, frame: number): void {
  const pte = r.pt.leafEntry(va);
  r.m.mem.write32(pte, 0);
  r.m.mem.write32(pte + 4, 0);
  r.m.mmu.invlpg(va, 0);
  r.m.framesFreed(frame, 1);
}

describe('a freed frame that held compiled code', () => {
  it('loses its region and its write watch: reused for other code at another address, then for data', () => {
    const stops = new Map<MachineRun, number>();
    let frame = 0;
    const onStop = (r: MachineRun, stop: Stop): boolean => {
      if (stop !== Stop.Ecall) return false;
      const n = (stops.get(r) ?? 0) + 1;
      stops.set(r, n);
      if (n === 1) {
        // The function's frame, freed, comes back with other code at FN2.
        unmapAndFree(r, FN, frame);
        r.poke(FN, words([ins('addi', 'a2', 'a2', 3), ins('jalr', 'zero', 0, 'ra')]));
        r.pt.map(FN2, frame, PageSize.Size4K, PTE_US | PTE_RW);
        r.m.cpu.setReg(5, BigInt(FN2));
      } else if (n === 2) {
        // Freed again, it comes back as data at DATA2.
        unmapAndFree(r, FN2, frame);
        r.pt.map(DATA2, frame, PageSize.Size4K, BigInt(PTE_US | PTE_RW) | PTE_NX);
        r.m.cpu.setReg(9, BigInt(DATA2));
        r.m.cpu.setReg(18, 1n);
      } else {
        return false;
      }
      r.m.cpu.pc += 4n;
      return true;
    };
    const setup = (r: MachineRun): void => {
      r.mapPages(FN, 1, PTE_US | PTE_RW);
      r.poke(FN, words([ins('addi', 'a1', 'a1', 1), ins('jalr', 'zero', 0, 'ra')]));
      frame = r.pa(FN);
    };
    for (const budgets of [[1_000_000], [7], [1, 2, 3, 50]]) {
      stops.clear();
      const { t1, tier1 } = runBoth(PROGRAM, { budgets, setup, onStop, maxRuns: 100_000 });
      expect([t1.m.cpu.reg(11), t1.m.cpu.reg(12)]).toEqual([BigInt(CALLS), 3n * BigInt(CALLS)]);
      expect(Array.from(t1.m.mem.readBytes(frame, 16))).toEqual([...words([CALLS - 1, 0, CALLS - 1, 0])]);
      if (budgets[0] === 1_000_000) {
        // Each free dropped the region compiled from the frame (no stale region, nothing left
        // to compare): the second phase's code was compiled afresh.
        expect(tier1.stats.freed).toBe(2);
        expect(tier1.stats.invalidated).toBe(0);
        // The data stores into the frame stayed inline: it is no longer watched.
        expect(tier1.misses.stores).toBeLessThan(5);
        expect(tier1.stats.regionRetired).toBeGreaterThan(3 * CALLS);
      }
    }
  });
});

describe('through the kernel: munmap frees the frame, mmap hands it out again', () => {
  it('codereuse.s runs the new code in the reused page and writes the data page inline, as tier 0 does', () => {
    const prog = guestTest('codereuse');
    const run = (jit: RunOptions['kernel']): GuestRun => runGuest(prog, { kernel: { maxInsns: 10_000_000, ...jit } });
    const t0 = run({ jit: false });
    const t1 = run({ jit: { hotThreshold: 3 } });
    expect(t1.stdout).toBe(t0.stdout);
    expect(t1.stdout).not.toContain('FAIL');
    expect([t1.exitCode, t1.instructions]).toEqual([t0.exitCode, t0.instructions]);
    expect(Array.from(t1.k.machine.cpu.x64.subarray(0, 32))).toEqual(Array.from(t0.k.machine.cpu.x64.subarray(0, 32)));
    expect(t1.k.machine.mmu.stats()).toEqual(t0.k.machine.mmu.stats());
    const tier1 = t1.k.tier1!;
    // f1's region went with its frame at the first munmap, f2's at the second.
    expect(tier1.stats.freed).toBeGreaterThanOrEqual(2);
    // The data loop's 2,000 stores went inline: no frame of it was left watched.
    expect(tier1.misses.stores).toBeLessThan(100);
  });
});
