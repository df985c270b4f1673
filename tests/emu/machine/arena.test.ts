// The arena (emu/machine/arena.ts): one WebAssembly.Memory per machine holding
// RAM's first GiB and the CPU state at the offsets ArenaLayout documents, the
// same bytes the interpreter's views use.
import { describe, expect, it } from 'vitest';
import { ARENA_MAX_BYTES, Arena, MC_BITS, MC_EMPTY, MC_ENTRIES, NO_HOST, REG_SLOTS, SCRATCH_BYTES, arenaLayout } from '../../../emu/machine/arena';
import type { ArenaLayout } from '../../../emu/machine/arena';
import { Machine } from '../../../emu/machine/machine';
import { Mmu } from '../../../emu/machine/mmu/mmu';
import { SparsePhysMem } from '../../../emu/machine/mem/phys';
import { PageSize, PageTableBuilder } from '../../../emu/machine/pagetable-builder';
import { CR0_PE, CR0_PG, CR0_WP, CR4_PAE, EFER_LMA, EFER_LME, EFER_NXE, PTE_RW, PTE_US } from '../../../emu/machine/mmu/paging';
import { Replacement, DEFAULT_TLB_CONFIG } from '../../../emu/machine/mmu/tlb';
import { Access } from '../../../emu/machine/trap';
import { docBlock } from '../../support/doc-blocks';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** A module importing env.mem with ld(addr) -> i64 (i64.load) and st(addr, v) (i64.store): compiled code's view. */
function wasmAccess(m: Machine): { ld: (addr: number) => bigint; st: (addr: number, v: bigint) => void } {
  // prettier-ignore
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x0b, 0x02, 0x60, 0x01, 0x7f, 0x01, 0x7e, 0x60, 0x02, 0x7f, 0x7e, 0x00, // types: (i32)->i64, (i32,i64)->()
    0x02, 0x0c, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x00, // import env.mem, memory min 0
    0x03, 0x03, 0x02, 0x00, 0x01, // two functions
    0x07, 0x0b, 0x02, 0x02, 0x6c, 0x64, 0x00, 0x00, 0x02, 0x73, 0x74, 0x00, 0x01, // export ld, st
    0x0a, 0x13, 0x02,
    0x07, 0x00, 0x20, 0x00, 0x29, 0x03, 0x00, 0x0b, // ld: local.get 0; i64.load align 8
    0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0x37, 0x03, 0x00, 0x0b, // st: local.get 0; local.get 1; i64.store
  ]);
  const W = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: Record<string, unknown> } } }).WebAssembly;
  const inst = new W.Instance(new W.Module(bytes), { env: { mem: m.arena.memory } });
  return inst.exports as unknown as { ld: (addr: number) => bigint; st: (addr: number, v: bigint) => void };
}

function regions(l: ArenaLayout): [string, number, number][] {
  const mc = MC_ENTRIES;
  return [
    ['ram', 0, l.ramBytes], ['regs', l.regs, 8 * REG_SLOTS], ['pc', l.pc, 8],
    ['mc.tagLo', l.mc.tagLo, 4 * mc], ['mc.tagHi', l.mc.tagHi, 4 * mc], ['mc.slot', l.mc.slot, 4 * mc],
    ['mc.gen', l.mc.gen, 4 * mc], ['mc.host', l.mc.host, 4 * mc], ['mc.pa', l.mc.pa, 8 * mc],
    ...(['itlb', 'dtlb'] as const).flatMap((t): [string, number, number][] => [
      [`${t}.gen`, l[t].gen, 4 * l[t].slots], [`${t}.stamp`, l[t].stamp, 8 * l[t].slots],
      [`${t}.clock`, l[t].clock, 8], [`${t}.microHits`, l[t].microHits, 8],
    ]),
    ['scratch', l.scratch, l.scratchBytes],
  ];
}

describe('ArenaLayout', () => {
  it('puts RAM at 0 and the state block page aligned after it, every field 8-aligned, none overlapping', () => {
    for (const ramBytes of [4096, 2 * MiB + 4096, 64 * MiB, GiB]) {
      const l = arenaLayout({ ramBytes, itlb: { slots: 140, lru: true }, dtlb: { slots: 100, lru: true } });
      expect(l.state).toBe(ramBytes);
      expect(l.regs).toBe(l.state);
      expect(l.pc).toBe(l.regs + 8 * REG_SLOTS);
      expect(l.scratch % 4096).toBe(0);
      expect(l.scratchBytes).toBe(SCRATCH_BYTES);
      expect(l.bytes % 65536).toBe(0);
      const rs = regions(l).sort((a, b) => a[1] - b[1]);
      for (const [name, at] of rs) expect(at % 8, name).toBe(0);
      for (let i = 1; i < rs.length; i++) expect(rs[i]![1], `${rs[i - 1]![0]} overlaps ${rs[i]![0]}`).toBeGreaterThanOrEqual(rs[i - 1]![1] + rs[i - 1]![2]);
      const last = rs[rs.length - 1]!;
      expect(last[1] + last[2]).toBeLessThanOrEqual(l.bytes);
    }
  });

  it('sizes the TLB arrays by the configuration: Skylake-like, and none', () => {
    const m = new Machine({ memSize: 2 * MiB });
    expect([m.arena.layout.itlb.slots, m.arena.layout.dtlb.slots]).toEqual([m.mmu.itlb.capacity, m.mmu.dtlb.capacity]);
    expect([m.arena.layout.itlb.lru, m.arena.layout.dtlb.lru]).toEqual([true, true]);
    const none = new Machine({ memSize: 2 * MiB, tlb: 'none' });
    expect([none.arena.layout.itlb.slots, none.arena.layout.dtlb.slots]).toEqual([0, 0]);
    const fifo = new Machine({ memSize: 2 * MiB, tlb: { ...DEFAULT_TLB_CONFIG, replacement: Replacement.Fifo } });
    expect(fifo.arena.layout.itlb.lru).toBe(false);
  });

  it('is the listing docs/jit.md shows for a 64 MiB machine with the default TLBs', () => {
    const l = new Machine().arena.layout;
    const at = (n: number): string => `state+${n - l.state}`;
    const row = (name: string, value: string, note = ''): string => `${name.padEnd(17)}${note === '' ? value : `${value.padEnd(14)}${note}`}`;
    const tlb = (t: 'itlb' | 'dtlb'): string[] => [
      row(`${t}.gen`, at(l[t].gen), `(${l[t].slots} slots${l[t].lru ? ', LRU' : ''})`), row(`${t}.stamp`, at(l[t].stamp)),
      row(`${t}.clock`, at(l[t].clock)), row(`${t}.microHits`, at(l[t].microHits)),
    ];
    const listing = [
      row('ramBytes', String(l.ramBytes)), row('state', String(l.state)), row('regs', at(l.regs)), row('pc', at(l.pc)),
      ...(['tagLo', 'tagHi', 'slot', 'gen', 'host', 'pa'] as const).map((k) => row(`mc.${k}`, at(l.mc[k]))),
      ...tlb('itlb'), ...tlb('dtlb'),
      row('scratch', at(l.scratch), `(${l.scratchBytes} bytes)`), row('bytes', String(l.bytes)),
    ];
    expect(listing.join('\n') + '\n').toBe(docBlock('docs/jit.md', 'arena-layout-64m'));
  });

  it('refuses RAM that is not page-granular or above 1 GiB', () => {
    const t = { slots: 0, lru: false };
    expect(() => new Arena({ ramBytes: 100, itlb: t, dtlb: t })).toThrow(/multiple of 4096 up to 1 GiB/);
    expect(() => new Arena({ ramBytes: 2 * GiB, itlb: t, dtlb: t })).toThrow(/multiple of 4096 up to 1 GiB/);
  });
});

describe('the arena of a machine', () => {
  /** A machine with VA 0x400000 -> PA 0x200000 (4K, user RW) and CPL 3. */
  const setup = (memSize = 8 * MiB): Machine => {
    const m = new Machine({ memSize });
    const pt = new PageTableBuilder(m.mem, { tablesAt: 0x10000, tablesEnd: 0x40000 });
    pt.map(0x40_0000, 0x20_0000, PageSize.Size4K, PTE_RW | PTE_US);
    m.enablePaging(pt.root);
    m.mmu.setCpl(3);
    return m;
  };

  it('is one memory that compiled code and the interpreter share: RAM at its physical address, registers and pc as i64s', () => {
    const m = setup();
    const l = m.arena.layout;
    const w = wasmAccess(m);
    m.mem.write32(0x20_0008, 0x1122_3344);
    m.mem.write32(0x20_000c, 0x5566_7788);
    expect(w.ld(0x20_0008)).toBe(0x5566_7788_1122_3344n);
    w.st(0x20_0010, -2n);
    expect([m.mem.read32(0x20_0010), m.mem.read32(0x20_0014)]).toEqual([-2, -1]);
    m.cpu.setReg(5, 0x1234_5678_9abc_def0n);
    expect(w.ld(l.regs + 8 * 5)).toBe(0x1234_5678_9abc_def0n);
    w.st(l.regs + 8 * 7, -5n);
    expect(m.cpu.reg(7)).toBe(-5n);
    expect(w.ld(l.regs)).toBe(0n);
    m.cpu.pc = 0xffff_8000_0000_1000n;
    expect(w.ld(l.pc)).toBe(BigInt.asIntN(64, 0xffff_8000_0000_1000n));
    w.st(l.pc, 0x40_0000n);
    expect([m.cpu.pcLo, m.cpu.pcHi, m.cpu.pc]).toEqual([0x40_0000, 0, 0x40_0000n]);
  });

  it('holds the micro-cache entry a translation fills, and the TLB state a hit updates, at the layout offsets', () => {
    const m = setup();
    const l = m.arena.layout;
    const buf = m.arena.buffer;
    const i32 = (at: number, i: number): number => new Int32Array(buf, at, MC_ENTRIES)[i]!;
    const f64 = (at: number): number => new Float64Array(buf, at, 1)[0]!;
    expect(m.mmu.translate(0x40_0123, 0, Access.Write)).toBe(0x20_0123);
    const i = (Access.Write << MC_BITS) | (((0x40_0000 >>> 12) ^ (0x40_0000 >>> 20)) & 0xff);
    expect([i32(l.mc.tagLo, i), i32(l.mc.tagHi, i), i32(l.mc.host, i)]).toEqual([0x40_0000, 0, 0x20_0000]);
    expect(new Float64Array(buf, l.mc.pa, MC_ENTRIES)[i]).toBe(0x20_0000);
    const slot = i32(l.mc.slot, i);
    expect(i32(l.mc.gen, i)).toBe(new Int32Array(buf, l.dtlb.gen, l.dtlb.slots)[slot]);
    expect(i32(l.mc.tagLo, (Access.Read << MC_BITS) | 1)).toBe(MC_EMPTY);
    const clock = f64(l.dtlb.clock);
    expect(m.mmu.translate(0x40_0456, 0, Access.Write)).toBe(0x20_0456); // a micro-cache hit
    expect(f64(l.dtlb.clock)).toBe(clock + 1);
    expect(new Float64Array(buf, l.dtlb.stamp, l.dtlb.slots)[slot]).toBe(clock + 1);
    expect(f64(l.dtlb.microHits)).toBe(1);
    expect(m.mmu.stats().dtlb.hits).toBe(1);
    m.mmu.invlpg(0x40_0000, 0);
    expect(new Int32Array(buf, l.dtlb.gen, l.dtlb.slots)[slot]).not.toBe(i32(l.mc.gen, i));
  });

  it('gives write entries of a watched frame no host offset, now and when filled again; reads keep theirs', () => {
    const m = setup();
    const l = m.arena.layout;
    const host = (access: Access): number => new Int32Array(m.arena.buffer, l.mc.host, MC_ENTRIES)[(access << MC_BITS) | 0x04]!; // page 0x400 hashes to entry 0x400 ^ 0x4
    m.mmu.translate(0x40_0000, 0, Access.Write);
    m.mmu.translate(0x40_0000, 0, Access.Read);
    m.mmu.watchWrites(0x20_0abc); // any address in the frame
    expect([host(Access.Write), host(Access.Read)]).toEqual([NO_HOST, 0x20_0000]);
    m.mmu.invlpg(0x40_0000, 0);
    m.mmu.translate(0x40_0000, 0, Access.Write);
    expect(host(Access.Write)).toBe(NO_HOST);
    m.mmu.unwatchWrites(0x20_0000);
    m.mmu.invlpg(0x40_0000, 0);
    m.mmu.translate(0x40_0000, 0, Access.Write);
    expect(host(Access.Write)).toBe(0x20_0000);
  });

  it('places RAM above 1 GiB in its frame pool at first touch: a host offset compiled code reads and writes', () => {
    const m = new Machine({ memSize: 2 * GiB });
    const l = m.arena.layout;
    expect(l.ramBytes).toBe(GiB);
    expect([l.frames % 65536, l.frames > l.scratch, l.bytes]).toEqual([0, true, l.frames + GiB]);
    const pt = new PageTableBuilder(m.mem, { tablesAt: 0x10000, tablesEnd: 0x40000 });
    pt.map(0x40_0000, GiB + 0x5000, PageSize.Size4K, PTE_RW | PTE_US);
    pt.map(0x40_1000, 2 * GiB - 0x1000, PageSize.Size4K, PTE_RW | PTE_US);
    m.enablePaging(pt.root);
    m.mmu.setCpl(3);
    expect(m.mem.framesInArena).toBe(0);
    // The first translation that fills the micro-cache places the frame: the pool's first 4K.
    expect(m.mmu.translate(0x40_0010, 0, Access.Write)).toBe(GiB + 0x5010);
    const host = new Int32Array(m.arena.buffer, l.mc.host, MC_ENTRIES);
    // The micro-cache index hashes the page number: page 0x400 is entry 0x400 ^ 0x4, page 0x401 entry 0x5.
    expect(host[(Access.Write << MC_BITS) | 0x04]).toBe(l.frames);
    expect(m.mmu.translate(0x40_1008, 0, Access.Read)).toBe(2 * GiB - 0x1000 + 8);
    expect(host[(Access.Read << MC_BITS) | 0x05]).toBe(l.frames + 0x1000);
    expect([m.mem.framesInArena, m.mem.framesSpilled]).toEqual([2, 0]);
    // Both tiers see one copy: the memory methods and a wasm module's loads and stores at host + offset.
    const w = wasmAccess(m);
    m.mem.write32(GiB + 0x5010, 77);
    expect(w.ld(l.frames + 0x10)).toBe(77n);
    w.st(l.frames + 0x1008, -2n);
    expect([m.mem.read32(2 * GiB - 0x1000 + 8), m.mem.read32(2 * GiB - 0x1000 + 12)]).toEqual([-2, -1]);
    // Untouched frames read as zero and stay unplaced.
    expect(m.mem.read32(GiB + 0x9000)).toBe(0);
    expect(m.mem.framesInArena).toBe(2);
  });

  it('falls back to frames outside the arena when the pool is full: correct through the methods, no host offset', () => {
    const m = new Machine({ memSize: 2 * GiB, arenaFrames: 1 });
    const pt = new PageTableBuilder(m.mem, { tablesAt: 0x10000, tablesEnd: 0x40000 });
    pt.map(0x40_0000, GiB + 0x5000, PageSize.Size4K, PTE_RW | PTE_US);
    pt.map(0x40_1000, GiB + 0x7000, PageSize.Size4K, PTE_RW | PTE_US);
    m.enablePaging(pt.root);
    m.mmu.setCpl(3);
    m.mmu.translate(0x40_0000, 0, Access.Write);
    m.mmu.translate(0x40_1000, 0, Access.Write);
    const host = new Int32Array(m.arena.buffer, m.arena.layout.mc.host, MC_ENTRIES);
    expect([host[(Access.Write << MC_BITS) | 0x04], host[(Access.Write << MC_BITS) | 0x05]]).toEqual([m.arena.layout.frames, NO_HOST]);
    expect([m.mem.framesInArena, m.mem.framesSpilled]).toEqual([1, 1]);
    m.mem.write32(GiB + 0x7ffc, 5);
    m.mem.writeBytes(GiB + 0x4ffe, new Uint8Array([1, 2, 3, 4]));
    expect([m.mem.read32(GiB + 0x7ffc), ...m.mem.readBytes(GiB + 0x4ffe, 4)]).toEqual([5, 1, 2, 3, 4]);
    expect([m.mem.framesInArena, m.mem.framesSpilled]).toEqual([1, 2]); // GiB + 0x4000 spilled too
  });

  it('costs a sparse 16 GiB guest only the frames it touches', () => {
    const m = new Machine({ memSize: 16 * GiB });
    const l = m.arena.layout;
    expect(l.bytes).toBe(ARENA_MAX_BYTES);
    for (let pa = GiB; pa < 16 * GiB; pa += 256 * 1024 * 1024) m.mem.write32(pa + 8, pa / 4096);
    for (let pa = GiB; pa < 16 * GiB; pa += 256 * 1024 * 1024) expect(m.mem.read32(pa + 8)).toBe(pa / 4096);
    expect([m.mem.framesInArena, m.mem.framesSpilled]).toEqual([60, 0]);
    expect(m.mem.hostPage(GiB)).toBe(l.frames);
    expect(m.mem.hostPage(GiB + 0x1000)).toBe(l.frames + 60 * 4096); // a first touch
    expect(m.mem.hostPage(0x3000)).toBe(0x3000);
  });

  it('is not needed by an MMU over SparsePhysMem (the conformance runner): its arrays live on the heap', () => {
    const mem = new SparsePhysMem();
    const mmu = new Mmu(mem);
    const pt = new PageTableBuilder(mem, { tablesAt: 0x7_0000_0000, tablesEnd: 0x7_0010_0000 });
    pt.map(0x40_0000, 0x9_0000_0000, PageSize.Size4K, PTE_RW | PTE_US);
    mmu.efer = EFER_LME | EFER_LMA | EFER_NXE;
    mmu.writeCr4(CR4_PAE);
    mmu.writeCr3(pt.root);
    mmu.writeCr0(CR0_PE | CR0_PG | CR0_WP);
    expect(mmu.translate(0x40_0010, 0, Access.Write)).toBe(0x9_0000_0010);
    expect(mmu.translate(0x40_0020, 0, Access.Write)).toBe(0x9_0000_0020);
    expect(mmu.stats().dtlb).toMatchObject({ lookups: 2, hits: 1, walks: 1 });
  });

  it('keeps machines apart, and 500 built one after another in one process do not run out of address space', () => {
    const a = setup();
    const b = setup();
    expect(a.arena.buffer).not.toBe(b.arena.buffer);
    a.cpu.setReg(1, 1n);
    expect(b.cpu.reg(1)).toBe(0n);
    // V8 reserves a wasm memory's address space (with guard regions) whatever its size: small machines test the same limit.
    for (let i = 0; i < 500; i++) {
      const m = new Machine({ memSize: 4 * MiB });
      m.mem.write32(4 * i, i);
      m.cpu.setReg(3, BigInt(i));
      expect(m.mem.read32(4 * i) + Number(m.cpu.reg(3))).toBe(2 * i);
    }
  });
});
