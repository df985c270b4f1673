// Tier 1's run loop, layered over the interpreter (tier 0) without changing
// it: run(budget) has Cpu.run's contract (same stops, same pc, instret,
// registers, memory, TLB contents, LRU state and TLB statistics at every
// stop), and gets there by alternating compiled regions and interpreter runs.
//
// At each block boundary the loop asks the CPU's fetch cache for pc's page
// (Cpu.fetchPage: the ITLB lookup the interpreter's refill would make, or
// none when the page is the one kept). A region compiled for that physical
// address and virtual pc, whose words still match memory, runs when its
// first block fits the budget left; otherwise the interpreter runs exactly
// the instructions to the end of the current basic block (Cpu.run(n)), and
// the block start's counter goes up. At HOT_THRESHOLD entries the region
// starting there is compiled (region.ts, translate.ts).
//
// Invalidation works as the interpreter's DecodeCache does: nothing tells a
// decoded or compiled page that it was written. The interpreter compares each
// fetched word with its decoded copy; a region compares its words with
// memory each time it is entered, and a region's own stores into its code
// frame end it after the store (memory-access.ts). So writes by the guest,
// the kernel, a loader, a copy helper or the debugger are all seen, by
// whatever path they came.
//
// ITLB exactness: a region never leaves its page, so it makes no fetch
// translations; a run of the interpreter makes its own, and every entry to a
// region goes through fetchPage, which leaves the CPU's kept fetch page as a
// run ending there would. The DTLB sees the same tryTranslate calls in the
// same order (memory-access.ts).
import type { Cpu } from '../cpu/cpu';
import { Stop } from '../cpu/cpu';
import type { GuestMemory } from '../mem/phys';
import { TRAP_PENDING } from '../trap';
import type { Translator } from '../cpu/access';
import { MemoryPort, STATUS_TRAP } from './memory-access';
import { EXIT_PC, EXIT_RETIRED, RegFile } from './regfile';
import { PAGE_WORDS, blockLength, planRegion } from './region';
import { REGION_EXPORT, translateRegion } from './translate';
import { Wasm } from './wasm-host';

/**
 * Block entries before the region starting there is compiled. Compiling one
 * region costs ~0.1-0.5 ms (encode, V8 validation and its baseline compiler),
 * as much as the interpreter spends on 10,000-50,000 instructions; a block
 * entered 200 times has run a few thousand instructions in the interpreter,
 * and a loop that hot almost always goes on much longer. Short programs
 * (most of the test suite) then compile little, long ones almost at once.
 */
export const HOT_THRESHOLD = 200;
/** Budget given to one region call: below 2^31 for its i32 counter. */
const MAX_REGION_BUDGET = 1 << 30;
/** Block records kept before the table is cleared (as DecodeCache bounds itself). */
const MAX_BLOCKS = 1 << 16;

type RegionFn = (budget: number, vaShift: number) => number;

interface Region {
  fn: RegionFn;
  pcLo: number;
  pcHi: number;
  /** Word indices the region was built from, and the words there. */
  used: Int32Array;
  words: Int32Array;
  /** Instructions of the entry block: the least budget that lets the region make progress. */
  entryLen: number;
}

interface BlockInfo {
  /** Entries counted (from the interpreter's side). */
  count: number;
  /** Instructions to the end of the basic block (for Cpu.run). */
  len: number;
  region: Region | null;
  /** The entry cannot start a region (its instruction is one regions stop at). */
  never: boolean;
}

export interface Tier1Stats {
  /** Regions compiled (recompilations after invalidation included). */
  regions: number;
  /** Wall time spent translating and compiling, in ms. */
  compileMs: number;
  /** Bytes of wasm generated. */
  wasmBytes: number;
  /** Guest instructions in compiled regions. */
  regionInsns: number;
  /** Regions dropped because their words changed or their pc did. */
  invalidated: number;
  /** Region calls, and guest instructions they retired. */
  regionRuns: number;
  regionRetired: number;
}

export interface Tier1Options {
  /** Block entries before compiling (default HOT_THRESHOLD). */
  hotThreshold?: number;
}

export class Tier1 {
  readonly stats: Tier1Stats = {
    regions: 0, compileMs: 0, wasmBytes: 0, regionInsns: 0, invalidated: 0, regionRuns: 0, regionRetired: 0,
  };
  private readonly regs: RegFile;
  private readonly port: MemoryPort;
  private readonly blocks = new Map<number, BlockInfo>();
  private readonly threshold: number;
  private readonly cpu: Cpu;
  private readonly mem: GuestMemory;
  private readonly mmu: Translator;

  constructor(machine: { cpu: Cpu }, opts: Tier1Options = {}) {
    this.cpu = machine.cpu;
    this.mem = machine.cpu.mem;
    this.mmu = machine.cpu.mmu;
    this.threshold = opts.hotThreshold ?? HOT_THRESHOLD;
    this.regs = new RegFile(this.cpu);
    this.port = new MemoryPort(this.mmu, this.mem, this.regs.i32);
  }

  /** Cpu.run(budget)'s contract, faster: see the file comment. */
  run(budget: number): Stop {
    const cpu = this.cpu;
    if (!(budget > 0)) return cpu.run(budget);
    const regs = this.regs;
    const state = regs.i32;
    const vaShift = this.mmu.canonical(0x8000) ? 7 : 16; // 57- or 48-bit linear addresses
    let left = budget;
    for (;;) {
      if (left <= 0) {
        regs.toCpu();
        return Stop.Budget;
      }
      const lo = cpu.pcLo, hi = cpu.pcHi;
      if ((lo & 3) !== 0) {
        regs.toCpu();
        return cpu.run(left); // raises #AC at pc, as a run would
      }
      const page = cpu.fetchPage(lo, hi);
      if (page === TRAP_PENDING) {
        regs.toCpu();
        return Stop.Trap;
      }
      const pa = page + (lo & 0xfff);
      let info = this.blocks.get(pa);
      if (info === undefined) info = this.newBlock(pa, page, lo);
      let r = info.region;
      if (r !== null && (r.pcLo !== lo || r.pcHi !== hi || !this.current(r, page))) {
        info.region = r = null;
        info.count = 0;
        info.len = this.lengthAt(page, lo);
        this.stats.invalidated++;
      }
      if (r === null && !info.never && ++info.count >= this.threshold) r = this.compile(info, page, lo, hi);
      if (r !== null && left >= r.entryLen) {
        regs.toWasm();
        this.port.codeFrame = page;
        const status = r.fn(left < MAX_REGION_BUDGET ? left : MAX_REGION_BUDGET, vaShift);
        const n = state[EXIT_RETIRED >> 2]!;
        cpu.pcLo = state[EXIT_PC >> 2]!;
        cpu.pcHi = state[(EXIT_PC >> 2) + 1]!;
        cpu.instret += n;
        left -= n;
        this.stats.regionRuns++;
        this.stats.regionRetired += n;
        if (status === STATUS_TRAP) {
          regs.toCpu();
          cpu.forgetFetchPage(); // as run() does on a trap
          return Stop.Trap;
        }
        // No progress: the region stopped at its first instruction (a jalr whose target
        // would trap); the interpreter runs that block and raises it.
        if (n !== 0) continue;
      }
      regs.toCpu();
      const before = cpu.instret;
      const stop = cpu.run(info.len < left ? info.len : left);
      left -= cpu.instret - before;
      if (stop !== Stop.Budget) return stop;
    }
  }

  /** Forgets every region and count (tests; a machine reset). */
  reset(): void {
    this.blocks.clear();
  }

  private newBlock(pa: number, page: number, lo: number): BlockInfo {
    if (this.blocks.size >= MAX_BLOCKS) this.blocks.clear();
    const info: BlockInfo = { count: 0, len: this.lengthAt(page, lo), region: null, never: false };
    this.blocks.set(pa, info);
    return info;
  }

  /** Instructions from lo to the end of its basic block, as memory holds them now (beyond RAM: one, the illegal word). */
  private lengthAt(page: number, lo: number): number {
    const code = this.mem.chunkI32(page);
    if (code === null) return 1;
    return blockLength(code, this.mem.chunkOffset(page) >> 2, (lo & 0xfff) >>> 2);
  }

  /** Whether memory still holds the words r was compiled from. */
  private current(r: Region, page: number): boolean {
    const code = this.mem.chunkI32(page);
    if (code === null) return false;
    const base = this.mem.chunkOffset(page) >> 2;
    const used = r.used, words = r.words;
    for (let i = 0; i < used.length; i++) {
      const idx = used[i]!;
      if (code[base + idx] !== words[idx]) return false;
    }
    return true;
  }

  private compile(info: BlockInfo, page: number, lo: number, hi: number): Region | null {
    const code = this.mem.chunkI32(page);
    const plan = code === null ? null : planRegion(code, this.mem.chunkOffset(page) >> 2, (lo & 0xfff) >>> 2, lo & ~0xfff, hi);
    const entryBlock = plan?.blocks.find((b) => b.start === plan.entry);
    if (plan === null || entryBlock === undefined || entryBlock.insns.length === 0) {
      info.never = true; // e.g. an entry branch whose target would trap: the interpreter's
      return null;
    }
    const t0 = performance.now();
    const compiled = translateRegion(plan, lo & ~0xfff, hi);
    const inst = new Wasm.Instance(new Wasm.Module(compiled.bytes), { env: { ...this.port.imports, mem: this.regs.memory } });
    this.stats.compileMs += performance.now() - t0;
    this.stats.regions++;
    this.stats.wasmBytes += compiled.bytes.length;
    this.stats.regionInsns += compiled.insns;
    const used: number[] = [];
    for (let i = 0; i < PAGE_WORDS; i++) if (plan.used[i] !== 0) used.push(i);
    const r: Region = {
      fn: inst.exports[REGION_EXPORT] as RegionFn,
      pcLo: lo,
      pcHi: hi,
      used: Int32Array.from(used),
      words: plan.words,
      entryLen: entryBlock.insns.length,
    };
    info.region = r;
    return r;
  }
}
