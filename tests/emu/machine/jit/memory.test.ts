// Tier 1's loads and stores against the arena: the inline micro-cache check
// (docs/jit.md, "The check compiled code makes"), its misses (left to the interpreter), the write
// watch on code frames, and in-page computed jumps. Each case runs under both
// tiers with runBoth (diff.ts: every stop compared, TLB contents, LRU stamps
// and statistics included), and checks that the mechanism it names did the
// work (miss counts, region runs).
import { describe, expect, it } from 'vitest';
import { Stop } from '../../../../emu/machine/cpu/cpu';
import { PTE_RW, PTE_US } from '../../../../emu/machine/mmu/paging';
import { MC_BITS, MC_ENTRIES, NO_HOST } from '../../../../emu/machine/arena';
import { Access } from '../../../../emu/machine/trap';
import { DATA, HOLE, RO, ins } from '../../../support/machine';
import type { MachineRun } from '../../../support/machine';
import { runBoth } from './diff';

const RWX = 0x400000;

function exitOnEcall(r: MachineRun, stop: Stop): boolean {
  void r;
  void stop;
  return false;
}

/** a0 counts to t1 around `body`, then ecall. */
function loop(setup: number[], body: number[], iterations: number): number[] {
  return [
    ...setup,
    ins('addi', 'a0', 'zero', 0),
    ins('addi', 't1', 'zero', iterations),
    ...body,
    ins('addi', 'a0', 'a0', 1),
    ins('bne', 'a0', 't1', -4 * (body.length + 1)),
    ins('ecall'),
  ];
}

describe('the inline check', () => {
  it('a load that misses, then hits inline: micro-hits and LRU stamps as in the interpreter', () => {
    const prog = loop([ins('lui', 't0', DATA >> 12)], [ins('ld', 'a1', 8, 't0'), ins('lw', 'a2', 12, 't0'), ins('sd', 'a0', 16, 't0'), ins('lbu', 'a3', 17, 't0')], 2000);
    for (const budgets of [[1_000_000], [37], [1, 2, 3, 50]]) {
      const runs: MachineRun[] = [];
      const { tier1 } = runBoth(prog, { budgets, setup: (r) => runs.push(r), onStop: exitOnEcall, maxRuns: 10_000, memory: [[DATA, 32]] });
      const [t0, t1] = [runs[0]!.m.mmu.dtlb, runs[1]!.m.mmu.dtlb];
      expect(t1.microHits).toBe(t0.microHits);
      expect(t1.clock).toBe(t0.clock);
      expect(t1.microHits).toBeGreaterThan(4000);
      // The first access of each kind misses (a walk); every later one is served inline.
      expect(tier1.misses.loads).toBeLessThan(4);
      expect(tier1.misses.stores).toBeLessThan(4);
      expect(tier1.stats.regionRetired).toBeGreaterThan(5000);
    }
  });

  it('misaligned and page-crossing accesses miss the inline check (alignment folded into the tag) and go to the interpreter', () => {
    const prog = loop(
      [ins('lui', 't0', DATA >> 12), ins('lui', 't2', (DATA + 4096) >> 12), ins('addi', 't2', 't2', -4)],
      [ins('ld', 'a1', 3, 't0'), ins('sw', 'a0', 6, 't0'), ins('ld', 'a2', 0, 't2'), ins('sh', 'a0', 3, 't2')],
      500,
    );
    const { tier1 } = runBoth(prog, { budgets: [1_000_000, 11], onStop: exitOnEcall, maxRuns: 10_000, memory: [[DATA, 32], [DATA + 4088, 16]] });
    expect(tier1.misses.loads).toBeGreaterThan(2 * 400);
    expect(tier1.misses.stores).toBeGreaterThan(2 * 400);
  });

  it('accesses through one register test the page that register\'s last check found: same page inline, the next page its own entry', () => {
    // t0 sits 8 bytes before the end of DATA's first page: offsets -16..-1 and 0..7 are in it,
    // 8.. in the next page. Loads and stores alternate between the two pages through t0, and a
    // misaligned load through t0 (its page test fails on the alignment bits) goes to the interpreter,
    // within the page and across its end.
    const prog = loop(
      [ins('lui', 't0', (DATA + 4096) >> 12), ins('addi', 't0', 't0', -8)],
      [
        ins('ld', 'a1', 0, 't0'), ins('ld', 'a2', -8, 't0'), ins('lw', 'a6', -7, 't0'), ins('ld', 'a5', 3, 't0'),
        ins('sd', 'a0', 8, 't0'), ins('sd', 'a0', -16, 't0'), ins('lw', 'a3', 4, 't0'), ins('lw', 'a4', 8, 't0'),
        ins('sw', 'a1', 12, 't0'),
      ],
      500,
    );
    for (const budgets of [[1_000_000], [13], [1, 2, 3, 50]]) {
      const { tier1 } = runBoth(prog, { budgets, onStop: exitOnEcall, maxRuns: 10_000, memory: [[DATA + 4096 - 24, 40]] });
      if (budgets[0] === 1_000_000) {
        // The two misaligned loads, 500 times each, and the first access of each kind and page.
        expect(tier1.misses.loads).toBeGreaterThanOrEqual(990);
        expect(tier1.misses.loads).toBeLessThan(1010);
        expect(tier1.misses.stores).toBeLessThan(5);
      }
    }
  });

  it('an access through the same register that leaves the page checked is checked in full: past the mapping it faults as in the interpreter', () => {
    // t0 walks up by 8 towards the hole after DATA; ld 8(t0) shares ld 0(t0)'s page until it is the hole's first byte.
    const prog = loop(
      [ins('lui', 't0', (HOLE - 4096) >> 12), ins('addi', 't0', 't0', 4096 - 8 - 8 * 300)],
      [ins('ld', 'a1', 0, 't0'), ins('ld', 'a2', 8, 't0'), ins('addi', 't0', 't0', 8)],
      1000,
    );
    for (const budgets of [[1_000_000], [7]]) {
      const stops: Stop[] = [];
      const { tier1 } = runBoth(prog, { budgets, onStop: (r, stop) => { stops.push(stop); return false; }, maxRuns: 10_000 });
      expect(stops).toEqual([Stop.Trap, Stop.Trap]);
      expect(tier1.stats.regionRetired).toBeGreaterThan(500);
    }
  });

  it('a loop walking through pages keeps each register\'s page across iterations: a new page is checked in full once', () => {
    // Copies 8 pages of DATA, 64 bytes a step, from t0 up to t2 = t0 + 8 pages: the loads through
    // t0 and the stores through t2 test the page their register's last full check found.
    const prog = loop(
      [ins('lui', 't0', DATA >> 12), ins('lui', 't2', (DATA + 8 * 4096) >> 12)],
      [
        ins('ld', 'a1', 0, 't0'), ins('sd', 'a1', 0, 't2'), ins('lw', 'a2', 8, 't0'), ins('sw', 'a2', 12, 't2'),
        ins('addi', 't0', 't0', 64), ins('addi', 't2', 't2', 64),
      ],
      8 * 64,
    );
    for (const budgets of [[1_000_000], [11], [1, 2, 3, 50]]) {
      const { tier1 } = runBoth(prog, { budgets, onStop: exitOnEcall, maxRuns: 100_000, memory: [[DATA + 8 * 4096, 64], [DATA + 15 * 4096, 64]] });
      if (budgets[0] === 1_000_000) {
        // The first access of each kind in each page walks (a micro-cache miss): 8 pages each.
        expect(tier1.misses.loads).toBeLessThanOrEqual(9);
        expect(tier1.misses.stores).toBeLessThanOrEqual(9);
        expect(tier1.stats.regionRetired).toBeGreaterThan(3000);
      }
    }
  });

  it('two pages 1 MiB apart, read by turns, keep one micro-cache entry each (the index hashes the page number)', () => {
    // DATA (page 0x100) and RO (page 0x200) took the same entry when the index was the page number's low 8 bits.
    const prog = loop([ins('lui', 't0', DATA >> 12), ins('lui', 't2', RO >> 12)], [ins('ld', 'a1', 0, 't0'), ins('ld', 'a2', 0, 't2')], 2000);
    const runs: MachineRun[] = [];
    const { tier1 } = runBoth(prog, { setup: (r) => runs.push(r), onStop: exitOnEcall });
    expect(tier1.misses.loads).toBeLessThan(5);
    expect(runs[1]!.m.mmu.dtlb.microHits).toBe(runs[0]!.m.mmu.dtlb.microHits);
  });
});

describe('stores into compiled code', () => {
  it('a region\'s store into another compiled page drops that page\'s region; data stores stay inline', () => {
    // A hot loop in CODE calls a function on the RWX page; at iteration 300 it rewrites that
    // function's first instruction (addi a1, a1, 1 -> addi a1, a1, 100) through a plain sw.
    const patched = ins('addi', 'a1', 'a1', 100);
    const prog = loop(
      [
        ins('lui', 't0', RWX >> 12),
        ins('lui', 't2', (patched >>> 12) + ((patched & 0x800) !== 0 ? 1 : 0)),
        ins('addi', 't2', 't2', ((patched & 0xfff) << 20) >> 20),
        ins('addi', 't3', 'zero', 300),
        ins('lui', 's0', DATA >> 12),
      ],
      [
        ins('jalr', 'ra', 0, 't0'),
        ins('sd', 'a0', 0, 's0'),
        ins('bne', 'a0', 't3', 8),
        ins('sw', 't2', 0, 't0'),
      ],
      600,
    );
    const fn = [ins('addi', 'a1', 'a1', 1), ins('jalr', 'zero', 0, 'ra')];
    const setup = (r: MachineRun): void => {
      r.mapPages(RWX, 1, PTE_US | PTE_RW);
      r.poke(RWX, new Uint8Array(new Int32Array(fn).buffer));
    };
    for (const budgets of [[1_000_000], [9], [1, 2, 3, 50]]) {
      const { t1, tier1 } = runBoth(prog, { budgets, setup, onStop: exitOnEcall, maxRuns: 10_000, memory: [[DATA, 8]] });
      // Calls 0..300 (the patch comes after the call of iteration 300) add 1, the other 299 add 100.
      expect(t1.m.cpu.reg(11)).toBe(301n + 299n * 100n);
      expect(tier1.stats.invalidated).toBeGreaterThan(0);
      if (budgets[0] === 1_000_000) {
        // The code store called out (its frame is write-watched); the 600 data stores did not.
        expect(tier1.misses.stores).toBeGreaterThan(0);
        expect(tier1.misses.stores).toBeLessThan(5);
      }
    }
  });

  it('a compiled page\'s frame is write-watched while its region exists: its write entries have no host offset', () => {
    const prog = [ins('lui', 't0', RWX >> 12), ins('jalr', 'zero', 0, 't0')];
    const setup = (r: MachineRun): void => {
      r.mapPages(RWX, 1, PTE_US | PTE_RW);
      r.poke(RWX, new Uint8Array(new Int32Array([ins('addi', 'a0', 'a0', 1), ins('jal', 'zero', -4)]).buffer));
    };
    const { t1, tier1 } = runBoth(prog, { budgets: [1000], maxRuns: 3, setup });
    expect(tier1.stats.regions).toBe(1);
    const host = (va: number): number => {
      t1.m.mmu.translate(va, 0, Access.Write);
      const l = t1.m.arena.layout;
      return new Int32Array(t1.m.arena.buffer, l.mc.host, MC_ENTRIES)[(Access.Write << MC_BITS) | (((va >>> 12) ^ (va >>> 20)) & 0xff)]!;
    };
    expect(host(RWX)).toBe(NO_HOST);
    expect(host(DATA)).toBe(t1.pa(DATA));
  });
});

describe('computed jumps within a page', () => {
  const CALLS = `
_start:
        la      s0, f1
        la      s1, f2
        li      t1, 400
1:      jalr    s0
        jalr    s1
        addi    a0, a0, 1
        bne     a0, t1, 1b
        ecall
f1:     addi    a1, a1, 1
        ret
f2:     addi    a2, a2, 2
        ret
`;
  it('calls through registers to functions of the same page stay in the region, and stop exactly at every budget', () => {
    for (const budgets of [[1_000_000], [7], [1, 2, 3, 50]]) {
      const { t1, tier1 } = runBoth(CALLS, { budgets, onStop: exitOnEcall, maxRuns: 10_000 });
      expect([t1.m.cpu.reg(11), t1.m.cpu.reg(12)]).toEqual([400n, 800n]);
      if (budgets[0] === 1_000_000) expect(tier1.stats.regionRuns, JSON.stringify(tier1.stats)).toBeLessThan(10);
    }
  });
});
