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
// memory each time it is entered, and a region's stores into a code frame
// miss inline (the frame is write-watched) and are made by the interpreter,
// after which the words are checked again (memory-access.ts). So writes by the guest,
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
import { STATUS_MISS } from './memory-access';
import { stateLayout } from './regfile';
import type { StateLayout } from './regfile';
import type { Arena } from '../arena';
import type { Mmu } from '../mmu/mmu';
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
const MAX_REGION_BUDGET = 1 << 16;
/** The major opcode of RV64I's stores (sb, sh, sw, sd): the only instructions of RV64IM that write memory. */
const OPCODE_STORE = 0x23;
/** Block records kept before the table is cleared (as DecodeCache bounds itself). */
const MAX_BLOCKS = 1 << 16;

/** `entry`: the block number to start at (CompiledRegion.blockNo). */
type RegionFn = (budget: number, vaShift: number, entry: number) => number;

/** The compiled code of one page: one region, enterable at any of its blocks. */
interface PageCode {
  fn: RegionFn;
  /** The virtual page it was compiled for (auipc, jal links and exits hold absolute pcs). */
  pageLo: number;
  pageHi: number;
  /** Word indices the region was built from, and the words there. */
  used: Int32Array;
  words: Int32Array;
  /** By page index: the block number to enter at (-1: not a block start), and that block's length. */
  blockOf: Int32Array;
  lenOf: Int32Array;
  /** The hot entries it was compiled for (a new hot entry recompiles the page with one more). */
  entries: number[];
  /** Tier1.epoch when the words were last checked against memory. */
  checked: number;
}

interface BlockInfo {
  /** Entries counted (from the interpreter's side). */
  count: number;
  /** Instructions to the end of the basic block (for Cpu.run). */
  len: number;
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
  private readonly state: StateLayout;
  /** The arena as int32s (the retired count a region leaves). */
  private readonly i32: Int32Array;
  private readonly arena: Arena;
  /** The machine's MMU (write watching of code frames). */
  private readonly watch: Mmu;
  private readonly blocks = new Map<number, BlockInfo>();
  /** Compiled pages by the physical address of their frame. */
  private readonly pages = new Map<number, PageCode>();
  /**
   * Bumped whenever code may have been written since the last check: at each
   * run() (the kernel or a debugger ran in between), after each interpreter
   * stretch, after a region's store into a compiled frame. A page's words are
   * compared with memory on entry only when its check is older.
   */
  private epoch = 0;
  private readonly threshold: number;
  private readonly cpu: Cpu;
  private readonly mem: GuestMemory;
  private readonly mmu: Translator;

  /**
   * Loads and stores compiled code could not make inline (micro-cache misses, faults, watched
   * frames, crossings): the region left at each, and the interpreter made it. Counted in the
   * arena's scratch block, so per machine.
   */
  get misses(): { loads: number; stores: number } {
    return { loads: this.i32[this.state.loadMisses >> 2]!, stores: this.i32[this.state.storeMisses >> 2]! };
  }

  constructor(machine: { cpu: Cpu; mmu: Mmu; arena: Arena }, opts: Tier1Options = {}) {
    this.cpu = machine.cpu;
    this.mem = machine.cpu.mem;
    this.mmu = machine.cpu.mmu;
    this.arena = machine.arena;
    this.watch = machine.mmu;
    this.threshold = opts.hotThreshold ?? HOT_THRESHOLD;
    this.state = stateLayout(machine.arena.layout);
    this.i32 = new Int32Array(machine.arena.buffer);
  }

  /** Cpu.run(budget)'s contract, faster: see the file comment. */
  run(budget: number): Stop {
    const cpu = this.cpu;
    if (!(budget > 0)) return cpu.run(budget);
    const i32 = this.i32;
    const retired = this.state.retired >> 2;
    const vaShift = this.mmu.canonical(0x8000) ? 7 : 16; // 57- or 48-bit linear addresses
    let left = budget;
    this.epoch++;
    for (;;) {
      if (left <= 0) {
        return Stop.Budget;
      }
      const lo = cpu.pcLo, hi = cpu.pcHi;
      if ((lo & 3) !== 0) {
        return cpu.run(left); // raises #AC at pc, as a run would
      }
      const page = cpu.fetchPage(lo, hi);
      if (page === TRAP_PENDING) {
        return Stop.Trap;
      }
      const idx = (lo & 0xfff) >>> 2;
      let code = this.pages.get(page);
      if (code !== undefined && code.checked !== this.epoch) {
        if (code.pageLo === (lo & ~0xfff) && code.pageHi === hi && this.current(code, page)) code.checked = this.epoch;
        else code = this.drop(page, code);
      }
      let bn = code === undefined ? -1 : code.blockOf[idx]!;
      let len = 0;
      if (bn < 0) {
        const pa = page + (lo & 0xfff);
        let info = this.blocks.get(pa);
        if (info === undefined) info = this.newBlock(pa, page, lo);
        len = info.len;
        if (!info.never && ++info.count >= this.threshold) {
          code = this.compile(page, lo, hi, idx, info, code);
          bn = code === undefined ? -1 : code.blockOf[idx]!;
        }
      }
      if (bn >= 0) {
        len = code!.lenOf[idx]!;
        if (left >= len) {
          const status = code!.fn(left < MAX_REGION_BUDGET ? left : MAX_REGION_BUDGET, vaShift, bn);
          const n = i32[retired]!; // the region left its exit pc in the arena's pc
          cpu.instret += n;
          left -= n;
          this.stats.regionRuns++;
          this.stats.regionRetired += n;
          if (status === STATUS_MISS) {
            // The region stopped AT an access its inline check did not serve: the interpreter
            // makes that one instruction (a fault stops here as it would in a run), and the
            // loop goes on after it. Only a store can have written code: the region's words,
            // the access among them, were checked this epoch.
            const store = (code!.words[(cpu.pcLo & 0xfff) >>> 2]! & 0x7f) === OPCODE_STORE; // the region's own page
            const before = cpu.instret;
            const stop = cpu.run(1);
            left -= cpu.instret - before;
            if (store) this.epoch++;
            if (stop !== Stop.Budget) return stop;
            continue;
          }
          // No progress: the region stopped at its first instruction (a jalr whose target
          // would trap); the interpreter runs that block and raises it.
          if (n !== 0) continue;
        }
      }
      const before = cpu.instret;
      const stop = cpu.run(len < left ? len : left);
      left -= cpu.instret - before;
      this.epoch++; // the interpreter's stores are not watched
      if (stop !== Stop.Budget) return stop;
    }
  }

  private newBlock(pa: number, page: number, lo: number): BlockInfo {
    if (this.blocks.size >= MAX_BLOCKS) this.blocks.clear();
    const info: BlockInfo = { count: 0, len: this.lengthAt(page, lo), never: false };
    this.blocks.set(pa, info);
    return info;
  }

  /** Instructions from lo to the end of its basic block, as memory holds them now (beyond RAM: one, the illegal word). */
  private lengthAt(page: number, lo: number): number {
    const code = this.mem.chunkI32(page);
    if (code === null) return 1;
    return blockLength(code, this.mem.chunkOffset(page) >> 2, (lo & 0xfff) >>> 2);
  }

  /** Whether memory still holds the words the page's region was compiled from. */
  private current(c: PageCode, page: number): boolean {
    const code = this.mem.chunkI32(page);
    if (code === null) return false;
    const base = this.mem.chunkOffset(page) >> 2;
    const used = c.used, words = c.words;
    for (let i = 0; i < used.length; i++) {
      const idx = used[i]!;
      if (code[base + idx] !== words[idx]) return false;
    }
    return true;
  }

  /** Drops a page's region (its words changed, or it was compiled for another virtual page); its entries count afresh. */
  private drop(page: number, c: PageCode): undefined {
    this.pages.delete(page);
    this.watch.unwatchWrites(page);
    this.stats.invalidated++;
    for (const e of c.entries) {
      const info = this.blocks.get(page + 4 * e);
      if (info !== undefined) {
        info.count = 0;
        info.len = this.lengthAt(page, c.pageLo + 4 * e);
      }
    }
    return undefined;
  }

  /** (Re)compiles the page with `idx` as one more entry; the page's code afterwards (the old one if idx cannot start a region). */
  private compile(page: number, lo: number, hi: number, idx: number, info: BlockInfo, old: PageCode | undefined): PageCode | undefined {
    const mem = this.mem.chunkI32(page);
    const entries = old === undefined ? [idx] : [...old.entries, idx];
    const pageLo = lo & ~0xfff;
    const plan = mem === null ? null : planRegion(mem, this.mem.chunkOffset(page) >> 2, entries, pageLo, hi);
    if (plan === null || !plan.entries.includes(idx)) {
      info.never = true; // e.g. an ecall, or an entry branch whose target would trap: the interpreter's
      return old;
    }
    const t0 = performance.now();
    const compiled = translateRegion(plan, pageLo, hi, this.state);
    const inst = new Wasm.Instance(new Wasm.Module(compiled.bytes), { env: { mem: this.arena.memory } });
    this.stats.compileMs += performance.now() - t0;
    this.stats.regions++;
    this.stats.wasmBytes += compiled.bytes.length;
    this.stats.regionInsns += compiled.insns;
    const used: number[] = [];
    for (let i = 0; i < PAGE_WORDS; i++) if (plan.used[i] !== 0) used.push(i);
    const blockOf = new Int32Array(PAGE_WORDS).fill(-1);
    const lenOf = new Int32Array(PAGE_WORDS);
    for (const b of plan.blocks) {
      if (b.insns.length === 0) continue;
      blockOf[b.start] = compiled.blockNo.get(b.start)!;
      lenOf[b.start] = b.insns.length;
    }
    const c: PageCode = {
      fn: inst.exports[REGION_EXPORT] as RegionFn,
      pageLo,
      pageHi: hi,
      used: Int32Array.from(used),
      words: plan.words,
      blockOf,
      lenOf,
      entries: plan.entries,
      checked: this.epoch,
    };
    this.pages.set(page, c);
    this.watch.watchWrites(page); // its stores miss inline: the interpreter makes them (memory-access.ts)
    return c;
  }
}
