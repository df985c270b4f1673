// Property: tier 1 keeps x86-64 paging exact. Random page-table graphs
// (4- and 5-level, shared and cyclic tables, 4K/2M/1G leaves, random
// P/RW/US/A/D/G/XD bits, protection keys, reserved bits) and random sequences
// of guest loads, stores and fetches (jalr into the mapped page), run as a
// hot loop under tier 0 and tier 1 with WP, SMEP, SMAP, PKE, PGE, PCIDE and
// NXE on or off. At every stop, and between stops, the "kernel" (this test)
// does the same thing to both machines: skips a faulting access, INVLPGs,
// writes CR3 (PCID switches, no-flush loads), edits entries with or without
// the INVLPG the architecture requires (stale entries), clears every A and
// D bit (page reclaim's sweep, again with or without INVLPG), flips CR0.WP,
// CR4 bits, EFER.NXE, RFLAGS.AC or PKRU. The tiers must agree on every stop:
// stop reason, fault and #PF error code, CR2, pc, registers, TLB contents,
// LRU state and statistics (diff.ts snapshot), and the page tables' bytes
// (A/D updates); at the end on all of RAM. Stores write the doubleword
// RET = `ret` zero-extended, and the data frames start full of it, so a
// fetch of a data page returns (or faults), and a store into a page table
// (tables are data too, through 4K leaves pointing at them) makes a valid
// entry (P, RW, US, A, D, frame 0x8000, itself a table of such entries).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Stop } from '../../../../emu/machine/cpu/cpu';
import { Tier1 } from '../../../../emu/machine/jit/tier1';
import { Machine } from '../../../../emu/machine/machine';
import { read64Big, write64Big } from '../../../../emu/machine/mem/phys';
import {
  CR0_PE, CR0_PG, CR0_WP, CR4_LA57, CR4_PAE, CR4_PCIDE, CR4_PGE, CR4_PKE, CR4_SMAP, CR4_SMEP, EFER_LMA, EFER_LME, EFER_NXE,
  PTE_A, PTE_D, PTE_P, PTE_RW, PTE_US,
} from '../../../../emu/machine/mmu/paging';
import { PageSize, PageTableBuilder } from '../../../../emu/machine/pagetable-builder';
import { Access, PF_I, PF_W, Vector } from '../../../../emu/machine/trap';
import { ins } from '../../../support/machine';
import { pagingEntryArb } from '../mmu/support';
import { snapshot } from './diff';

// Physical layout (16 MiB of RAM):
//   [0, 8 MiB)          data frames, filled with RET words; the random tables at 0x10000 + 4K * k
//   [8 MiB, 9 MiB)      the code path's tables (PageTableBuilder), root included
//   CODE_PA, CONST_PA   the loop and its table of target addresses
// Data addresses only reach [0, 8 MiB) or beyond RAM: every index is 0, 1 or 511 and large
// frames are 0, 2, 4 or 6 MiB, so neither the code nor its tables are ever data.
const MEM = 16 << 20;
const TABLES = 6;
const tableAddr = (k: number): number => 0x10000 + k * 0x1000;
const SLOTS = [0, 1, 511];
/** Top-level indices of the data addresses (0 holds the code path). */
const TOP = [1, 2, 511];
const LARGE = [0n, 0x200000n, 0x400000n, 0x600000n];
const DATA_END = 8 << 20;
const PT_AT = 8 << 20;
const PT_END = 9 << 20;
const CODE = 0x10000;
const CODE_PA = 10 << 20;
const CONST = 0x20000;
const CONST_PA = CODE_PA + 0x10000;
const RET = ins('jalr', 'zero', 0, 'ra');
/** Distinct linear addresses per scenario: few, so pages are used again (TLB and micro-cache hits). */
const VAS = 5;
const ITERATIONS = 400;

/** The data frames' first contents: RET doublewords. */
const DATA_FRAMES = new Uint8Array(new BigUint64Array(DATA_END / 8).fill(BigInt(RET >>> 0)).buffer);

const entryArb = pagingEntryArb({ tables: TABLES, tableAddr, largeFrames: LARGE.length, largeFrame: (n) => LARGE[n]! });

const LOADS = ['lb', 'lbu', 'lh', 'lhu', 'lw', 'lwu', 'ld'] as const;
const accessArb = fc.record({
  va: fc.nat(VAS - 1),
  kind: fc.constantFrom('load', 'load', 'load', 'store', 'store', 'fetch'),
  load: fc.constantFrom(...LOADS),
  wide: fc.boolean(), // store: sd, else sw
  cross: fc.constantFrom(false, false, false, false, false, false, false, true), // at the page's last 4 bytes: a crossing 8-byte access
});
type AccessOp = typeof accessArb extends fc.Arbitrary<infer T> ? T : never;

const kernelOpArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ op: 'none' as const }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('invlpg' as const), va: fc.nat(VAS - 1) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cr3' as const), pcid: fc.constantFrom(1, 2), noFlush: fc.boolean() }) },
  // An entry edit, with the required invalidation or (stale) without.
  { weight: 4, arbitrary: fc.record({ op: fc.constant('edit' as const), table: fc.nat(TABLES), slot: fc.nat(2), value: entryArb, invalidate: fc.boolean() }) },
  // Page reclaim's sweep: clear A and D in every entry, with the required invalidation or (stale TLB entries with D set) without.
  { weight: 2, arbitrary: fc.record({ op: fc.constant('clearAD' as const), invalidate: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wp' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('nxe' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cr4' as const), bit: fc.constantFrom(CR4_SMEP, CR4_SMAP, CR4_PKE, CR4_PGE) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('ac' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pkru' as const), v: fc.oneof(fc.constant(0), fc.nat(0xffffffff)) }) },
);
type KernelOp = typeof kernelOpArb extends fc.Arbitrary<infer T> ? T : never;

const vaArb = fc.record({
  top: fc.constantFrom(...TOP),
  idx: fc.array(fc.constantFrom(...SLOTS), { minLength: 4, maxLength: 4 }),
  off: fc.nat(511),
});

const scenarioArb = fc.record({
  five: fc.boolean(),
  cpl: fc.constantFrom<0 | 3>(0, 3),
  pcide: fc.boolean(),
  cr4: fc.subarray([CR4_SMEP, CR4_SMAP, CR4_PKE, CR4_PGE]),
  wp: fc.boolean(),
  nxe: fc.boolean(),
  ac: fc.boolean(),
  pkru: fc.oneof(fc.constant(0), fc.nat(0xffffffff)),
  roots: fc.array(entryArb, { minLength: TOP.length, maxLength: TOP.length }),
  entries: fc.array(entryArb, { minLength: TABLES * SLOTS.length, maxLength: TABLES * SLOTS.length }),
  vas: fc.array(vaArb, { minLength: VAS, maxLength: VAS }),
  accesses: fc.array(accessArb, { minLength: 3, maxLength: 12 }),
  kernel: fc.array(kernelOpArb, { minLength: 8, maxLength: 40 }),
  budgets: fc.constantFrom([1_000_000], [997, 3001], [4096, 50, 20_000]),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function linear(v: Scenario['vas'][number], five: boolean): bigint {
  const levels = five ? 5 : 4;
  let va = BigInt(v.top) << BigInt(12 + 9 * (levels - 1));
  for (let l = 0; l < levels - 1; l++) va |= BigInt(v.idx[l]!) << BigInt(12 + 9 * l);
  va |= BigInt(v.off * 8);
  return BigInt.asUintN(64, BigInt.asIntN(five ? 57 : 48, va));
}

/** The address an access uses: 8-aligned, or the page's last 4 bytes for a crossing access. */
function target(va: bigint, a: AccessOp): bigint {
  return a.cross && a.kind !== 'fetch' ? va | 0xffcn : va;
}

/** The hot loop: for each access, t0 = its address (from the constants page), then the access; ITERATIONS times; ecall. */
function program(s: Scenario): number[] {
  const body: number[] = [];
  s.accesses.forEach((a, j) => {
    body.push(ins('ld', 't0', 8 * j, 's0'));
    const rd = 10 + (j % 6); // a0..a5
    if (a.kind === 'load') body.push(ins(a.cross ? 'ld' : a.load, rd, 0, 't0'));
    else if (a.kind === 'store') body.push(ins(a.wide || a.cross ? 'sd' : 'sw', 's1', 0, 't0'));
    else body.push(ins('jalr', 'ra', 0, 't0'));
  });
  return [...body, ins('addi', 's2', 's2', 1), ins('bne', 's2', 's3', -4 * (body.length + 1)), ins('ecall')];
}

function build(s: Scenario): { m: Machine; root: number; end: number } {
  const m = new Machine({ memSize: MEM });
  m.mem.chunkU8(0)!.set(DATA_FRAMES);
  for (let k = 0; k < TABLES; k++) {
    m.mem.writeBytes(tableAddr(k), new Uint8Array(4096));
    SLOTS.forEach((slot, j) => write64Big(m.mem, tableAddr(k) + slot * 8, s.entries[k * SLOTS.length + j]!));
  }
  const pt = new PageTableBuilder(m.mem, { tablesAt: PT_AT, tablesEnd: PT_END, levels: s.five ? 5 : 4 });
  const us = s.cpl === 3 ? PTE_US : 0;
  pt.map(CODE, CODE_PA, PageSize.Size4K, us);
  pt.map(CONST, CONST_PA, PageSize.Size4K, us);
  TOP.forEach((t, j) => write64Big(m.mem, pt.root + t * 8, s.roots[j]!));
  const words = program(s);
  words.forEach((w, i) => m.mem.write32(CODE_PA + 4 * i, w));
  s.accesses.forEach((a, j) => write64Big(m.mem, CONST_PA + 8 * j, target(linear(s.vas[a.va]!, s.five), a)));
  const mmu = m.mmu;
  mmu.efer = EFER_LME | EFER_LMA | (s.nxe ? EFER_NXE : 0);
  mmu.writeCr4(CR4_PAE | (s.five ? CR4_LA57 : 0) | (s.pcide ? CR4_PCIDE : 0) | s.cr4.reduce((a, b) => a | b, 0));
  mmu.writeCr3(pt.root + (s.pcide ? 1 : 0));
  mmu.writeCr0(CR0_PE | CR0_PG | (s.wp ? CR0_WP : 0));
  mmu.setCpl(s.cpl);
  mmu.setAc(s.ac ? 1 : 0);
  mmu.setPkru(s.pkru & ~3); // key 0 (the code and constants pages) stays accessible
  m.cpu.pc = BigInt(CODE);
  m.cpu.setReg(8, BigInt(CONST));
  m.cpu.setReg(9, BigInt(RET >>> 0));
  m.cpu.setReg(19, BigInt(ITERATIONS));
  return { m, root: pt.root, end: CODE + 4 * (words.length - 1) };
}

/** What the kernel does at a stop and then between runs; the same on both machines. Returns false when the program is done. */
function kernel(s: Scenario, w: { m: Machine; root: number; end: number }, stop: Stop, op: KernelOp): boolean {
  const { m } = w;
  const pc = m.cpu.pc;
  if (stop === Stop.Ecall && pc === BigInt(w.end)) return false;
  const mmu = m.mmu;
  if (stop !== Stop.Budget) {
    // A fault in the loop skips the access; anywhere else (a fetch target) returns to the loop.
    if (pc >= BigInt(CODE) && pc < BigInt(CODE + 4096)) m.cpu.pc = pc + 4n;
    else m.cpu.pc = m.cpu.reg(1);
    if (stop === Stop.Trap && m.cpu.trap.vector === Vector.PF && op.op !== 'edit') repair(s, m);
  }
  const vas = s.vas.map((v) => linear(v, s.five));
  const lo = (va: bigint): number => Number(BigInt.asIntN(32, va));
  const hi = (va: bigint): number => Number(BigInt.asIntN(32, va >> 32n));
  const invalidateAll = (): void => {
    for (const va of vas) {
      mmu.invlpg(lo(va), hi(va));
      if (s.pcide) for (const p of [1, 2]) mmu.invpcid(0, p, lo(va), hi(va));
    }
  };
  switch (op.op) {
    case 'none':
      break;
    case 'invlpg':
      mmu.invlpg(lo(vas[op.va]!), hi(vas[op.va]!));
      break;
    case 'cr3':
      mmu.writeCr3(w.root + (s.pcide ? op.pcid : 0), s.pcide && op.noFlush);
      break;
    case 'edit': {
      const at = op.table === TABLES ? w.root + TOP[op.slot]! * 8 : tableAddr(op.table) + SLOTS[op.slot]! * 8;
      write64Big(m.mem, at, op.value);
      if (op.invalidate) invalidateAll();
      break;
    }
    case 'clearAD':
      for (const at of entryAddrs(w.root)) write64Big(m.mem, at, read64Big(m.mem, at) & ~BigInt(PTE_A | PTE_D));
      if (op.invalidate) invalidateAll();
      break;
    case 'wp':
      mmu.writeCr0(mmu.cr0 ^ CR0_WP);
      break;
    case 'nxe':
      mmu.efer = mmu.efer ^ EFER_NXE;
      break;
    case 'cr4':
      mmu.writeCr4(mmu.cr4 ^ op.bit);
      break;
    case 'ac':
      mmu.setAc(mmu.ac === 0 ? 1 : 0);
      break;
    case 'pkru':
      mmu.setPkru(op.v & ~3);
      break;
  }
  return true;
}

/**
 * Demand paging, roughly: makes the path of the address in CR2 allow the
 * access that faulted (P, RW, US for CPL 3 or a supervisor leaf for CPL 0,
 * no XD, key 0, no reserved bits), then INVLPGs it, so later iterations run
 * without faults (and in compiled code) until something breaks it again.
 */
function repair(s: Scenario, m: Machine): void {
  const mmu = m.mmu;
  const err = m.cpu.trap.error;
  const kind = (err & PF_I) !== 0 ? Access.Fetch : (err & PF_W) !== 0 ? Access.Write : Access.Read;
  const p = mmu.probe(mmu.cr2Lo, mmu.cr2Hi, kind, s.cpl);
  const addrBits = (1n << 46n) - 1n;
  for (const l of p.levels) {
    let e = l.entry & addrBits & ~0x80n; // bits 45:0 without PS
    // Tables and frames beyond the data frames (beyond RAM, or left by an edit) move to the pool.
    if (!l.leaf && (e & ~0xfffn) >= BigInt(DATA_END)) e = BigInt(tableAddr(l.level % TABLES)) | (e & 0xfffn);
    if (l.leaf && (e & ~0xfffn) >= BigInt(DATA_END)) e &= 0xfffn;
    if (l.leaf && l.level > 1) e = (e & ~((1n << BigInt(12 + 9 * (l.level - 1))) - 1n)) | (l.entry & 0x1fffn); // aligned frame, flags 12:0
    e |= BigInt(PTE_P | PTE_RW | PTE_US);
    if (l.leaf && s.cpl === 0) e &= ~BigInt(PTE_US);
    write64Big(m.mem, l.entryAddr, e);
  }
  mmu.invlpg(mmu.cr2Lo, mmu.cr2Hi);
}

/** Every entry the random graph uses: the pool tables' slots and the root's data slots. */
function entryAddrs(root: number): number[] {
  const out = TOP.map((t) => root + t * 8);
  for (let k = 0; k < TABLES; k++) for (const slot of SLOTS) out.push(tableAddr(k) + slot * 8);
  return out;
}

/** The bytes of the page tables: the random tables and the root. */
function tableBytes(w: { m: Machine; root: number }): Buffer {
  return Buffer.concat([...Array.from({ length: TABLES }, (_, k) => tableAddr(k)), w.root].map((pa) => w.m.mem.readBytes(pa, 4096)));
}

const big = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

interface Outcome {
  stops: number;
  faults: number;
  regionRetired: number;
  microHits: number;
}

/** Runs a scenario under both tiers, asserting identical state at every stop. */
function play(s: Scenario, maxInsns = 400_000): Outcome {
  const w0 = build(s);
  const w1 = build(s);
  const jit = new Tier1(w1.m);
  const out: Outcome = { stops: 0, faults: 0, regionRetired: 0, microHits: 0 };
  let insns = 0;
  for (let run = 0; insns < maxInsns; run++) {
    const budget = s.budgets[run % s.budgets.length]!;
    const s0 = w0.m.cpu.run(budget);
    const s1 = jit.run(budget);
    const a = snapshot(w0, s0);
    const b = snapshot(w1, s1);
    if (JSON.stringify(a, big) !== JSON.stringify(b, big)) expect(b).toEqual(a);
    const t0 = tableBytes(w0);
    const t1 = tableBytes(w1);
    if (Buffer.compare(t0, t1) !== 0) expect(t1.toString('hex')).toBe(t0.toString('hex'));
    out.stops++;
    if (s0 === Stop.Trap) out.faults++;
    insns = w0.m.cpu.instret;
    const op = s.kernel[run % s.kernel.length]!;
    const go0 = kernel(s, w0, s0, op);
    const go1 = kernel(s, w1, s1, op);
    expect(go1).toBe(go0);
    if (!go0) break;
  }
  const ram = (w: { m: Machine }): Buffer => {
    const u8 = w.m.mem.chunkU8(0)!;
    return Buffer.from(u8.buffer, u8.byteOffset, MEM);
  };
  expect(Buffer.compare(ram(w0), ram(w1))).toBe(0);
  out.regionRetired = jit.stats.regionRetired;
  out.microHits = w1.m.mmu.dtlb.microHits + w1.m.mmu.itlb.microHits;
  expect(out.microHits).toBe(w0.m.mmu.dtlb.microHits + w0.m.mmu.itlb.microHits);
  return out;
}

describe('tier 1 keeps x86-64 paging exact', () => {
  it('random page-table trees and access sequences: identical faults, error codes, CR2, A/D bits, TLB contents and statistics', () => {
    const total: Outcome = { stops: 0, faults: 0, regionRetired: 0, microHits: 0 };
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const o = play(s);
        total.stops += o.stops;
        total.faults += o.faults;
        total.regionRetired += o.regionRetired;
        total.microHits += o.microHits;
      }),
      { numRuns: 30, seed: 0x7a9e5 },
    );
    // Not vacuous: the loops were compiled and ran in tier 1, accesses faulted, and hit the micro-cache.
    // (Accesses the inline check does not serve, faults among them, are the interpreter's: ~40,000
    // instructions of these scenarios run in regions, ~55,000 when regions called out for them.)
    expect(total.regionRetired).toBeGreaterThan(30_000);
    expect(total.faults).toBeGreaterThan(1000);
    expect(total.microHits).toBeGreaterThan(10_000);
  });
});
