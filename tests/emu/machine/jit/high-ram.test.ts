// RAM above 1 GiB under both tiers: its frames are placed in the arena's
// frame pool at first touch (PhysMem's frame table), so the micro-cache
// entries compiled code checks inline carry a host offset for them, as for
// the first GiB. The tiers agree at every stop (diff.ts), place the same
// frames, and count the same micro-cache hits; a pool that runs out leaves
// the rest outside the arena, still exact.
import { describe, expect, it } from 'vitest';
import { MC_BITS, MC_ENTRIES, NO_HOST } from '../../../../emu/machine/arena';
import { PTE_NX, PTE_RW, PTE_US } from '../../../../emu/machine/mmu/paging';
import { PageSize } from '../../../../emu/machine/pagetable-builder';
import { Access } from '../../../../emu/machine/trap';
import { ins } from '../../../support/machine';
import type { MachineRun } from '../../../support/machine';
import { runBoth } from './diff';

const GiB = 2 ** 30;
const BASE = 0x4000_0000;
const PAGES = 48;
const ITERATIONS = 300;
/** The frames behind BASE's pages: spread over 1..16 GiB, in no order. */
const frame = (i: number): number => GiB + ((i * 7919) % PAGES) * 300 * 1024 * 1024 + i * 4096;

// for s2 in 0..ITERATIONS: for each page: *(u64 *)(page + 8) += 1, a0 += the old value.
const PROGRAM = [
  ins('addi', 't0', 's0', 0),
  ins('addi', 't1', 'zero', 0),
  ins('ld', 't2', 8, 't0'), //   inner
  ins('add', 'a0', 'a0', 't2'),
  ins('addi', 't2', 't2', 1),
  ins('sd', 't2', 8, 't0'),
  ins('lui', 't3', 1),
  ins('add', 't0', 't0', 't3'),
  ins('addi', 't1', 't1', 1),
  ins('bne', 't1', 's1', -28),
  ins('addi', 's2', 's2', 1),
  ins('bne', 's2', 's3', -44),
  ins('ecall'),
];

function setup(r: MachineRun): void {
  for (let i = 0; i < PAGES; i++) r.pt.map(BASE + i * 4096, frame(i), PageSize.Size4K, BigInt(PTE_US | PTE_RW) | PTE_NX);
  r.regs({ s0: BigInt(BASE), s1: BigInt(PAGES), s3: BigInt(ITERATIONS) });
}

/** Host offsets of the read and write micro-cache entries for BASE's pages. */
function hosts(r: MachineRun): number[] {
  const l = r.m.arena.layout;
  const host = new Int32Array(r.m.arena.buffer, l.mc.host, MC_ENTRIES);
  const out: number[] = [];
  for (const a of [Access.Read, Access.Write]) for (let i = 0; i < PAGES; i++) out.push(host[(a << MC_BITS) | ((BASE / 4096 + i) & 255)]!);
  return out;
}

describe('RAM above 1 GiB under both tiers', () => {
  it('a 16 GiB guest: frames placed in the arena at first touch, identical in both tiers, with host offsets for compiled code', () => {
    let t0: MachineRun | undefined;
    const { t1, tier1 } = runBoth(PROGRAM, {
      machine: { memSize: 16 * GiB },
      hotThreshold: 200,
      setup: (r) => {
        setup(r);
        t0 ??= r;
      },
      onStop: () => false,
    });
    expect(tier1.stats.regionRetired).toBeGreaterThan(PAGES * 8 * (ITERATIONS - 210));
    expect(t1.m.cpu.reg(10)).toBe(BigInt((PAGES * ITERATIONS * (ITERATIONS - 1)) / 2));
    for (const r of [t0!, t1]) {
      const l = r.m.arena.layout;
      // Only the touched frames, all in the arena, and the same ones in both tiers.
      expect([r.m.mem.framesInArena, r.m.mem.framesSpilled]).toEqual([PAGES, 0]);
      for (const h of hosts(r)) expect(h >>> 0 >= l.frames && h >>> 0 < l.bytes).toBe(true);
      expect(r.m.mem.read32(frame(5) + 8)).toBe(ITERATIONS);
    }
    expect(hosts(t1)).toEqual(hosts(t0!));
    expect(t1.m.mmu.dtlb.microHits).toBe(t0!.m.mmu.dtlb.microHits);
    expect(t1.m.mmu.dtlb.microHits).toBeGreaterThan(PAGES * ITERATIONS);
  });

  it('a pool that runs out: the remaining frames live outside the arena (no host offset), still identical', () => {
    const { t1 } = runBoth(PROGRAM, { machine: { memSize: 16 * GiB, arenaFrames: 20 }, hotThreshold: 200, setup, onStop: () => false });
    expect([t1.m.mem.framesInArena, t1.m.mem.framesSpilled]).toEqual([20, PAGES - 20]);
    expect(hosts(t1).filter((h) => h === NO_HOST).length).toBe(2 * (PAGES - 20));
    expect(t1.m.cpu.reg(10)).toBe(BigInt((PAGES * ITERATIONS * (ITERATIONS - 1)) / 2));
  });
});
