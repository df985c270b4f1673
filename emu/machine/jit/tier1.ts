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
// whatever path they came. Frames the kernel frees (Machine.framesFreed) are
// forgotten at once: region, write watch, counts.
//
// ITLB exactness: a region never leaves its page, so it makes no fetch
// translations inside; a run of the interpreter makes its own, and an entry
// from this loop goes through fetchPage, which leaves the CPU's kept fetch
// page as a run ending there would. An exit that chains into another page's
// region (translate.ts emitChain) makes the fetch translation's micro-cache
// hit itself, and afterwards the loop keeps the last region's page
// (Cpu.adoptFetchPage). The loop writes the chain table's entries: the
// region it enters, checked in this epoch. The DTLB sees the same
// tryTranslate calls in the same order (memory-access.ts).
import type { Cpu } from '../cpu/cpu';
import { Stop } from '../cpu/cpu';
import type { GuestMemory } from '../mem/phys';
import { TRAP_PENDING } from '../trap';
import type { Translator } from '../cpu/access';
import { STATUS_MISS } from './memory-access';
import { stateLayout } from './regfile';
import type { StateLayout } from './regfile';
import type { Arena } from '../arena';
import { MC_EMPTY } from '../arena';
import type { Mmu } from '../mmu/mmu';
import { PAGE_WORDS, blockLength, planRegion } from './region';
import type { FramesFreed } from '../machine';
import { REGION_EXPORT, translateRegion } from './translate';
import { Wasm } from './wasm-host';
import type { WasmTable } from './wasm-host';
import { CHAIN_ENTRIES } from './regfile';

/**
 * Block entries before the region starting there is compiled. Compiling one
 * region costs ~0.1-0.5 ms (encode, V8 validation and its baseline compiler),
 * as much as the interpreter spends on 10,000-50,000 instructions; a block
 * entered 200 times has run a few thousand instructions in the interpreter,
 * and a loop that hot almost always goes on much longer. Short programs
 * (most of the test suite) then compile little, long ones almost at once.
 */
export const HOT_THRESHOLD = 200;
/** Bytes per frame. */
const PAGE_BYTES = 4096;
/** Budget given to one region call: below 2^31 for its i32 counter. */
const MAX_REGION_BUDGET = 1 << 16;
/** The major opcode of RV64I's stores (sb, sh, sw, sd): the only instructions of RV64IM that write memory. */
const OPCODE_STORE = 0x23;
/**
 * Frames with entry counts but no region kept before those records are
 * cleared (as DecodeCache bounds itself): 4 KiB each.
 */
const MAX_COLD_FRAMES = 1024;
/** A FrameCode.count that means "this word cannot start a region" (its instruction is one regions stop at). */
const NEVER = 0xffff;

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
  /** Its function's index in the region table (chained exits call it there). */
  slot: number;
}

/** What the loop keeps about one physical frame it has run code from. */
interface FrameCode {
  /** The frame's region, when one is compiled (the frame is write-watched while it exists). */
  region: PageCode | undefined;
  /** By page word: block entries counted (from the interpreter's side), NEVER for a word that cannot start a region. */
  count: Uint16Array;
  /** By page word: instructions to the end of the basic block starting there (for Cpu.run); 0 = not known yet. */
  len: Uint16Array;
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
  /** Regions dropped because their frame was freed (Machine.framesFreed). */
  freed: number;
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
    regions: 0, compileMs: 0, wasmBytes: 0, regionInsns: 0, invalidated: 0, freed: 0, regionRuns: 0, regionRetired: 0,
  };
  private readonly state: StateLayout;
  /** The arena as int32s (the retired count a region leaves). */
  private readonly i32: Int32Array;
  private readonly arena: Arena;
  /** The machine's MMU (write watching of code frames). */
  private readonly watch: Mmu;
  /** What the loop knows of each frame it ran code from, by the frame's physical address. */
  private readonly frames = new Map<number, FrameCode>();
  /** Frames in `frames` without a region (bounded by MAX_COLD_FRAMES). */
  private cold = 0;
  /** Every region's function, at its slot: chained exits call through it (translate.ts emitChain). */
  private readonly table: WasmTable;
  /** Slots of dropped regions, to reuse. */
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  /** The arena as f64s (the frame of the region that exited last, the chain table's frames). */
  private readonly f64: Float64Array;
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

  /** Exits that went straight into the next page's region (translate.ts emitChain), counted in the arena. */
  get chains(): number {
    return this.i32[this.state.chains >> 2]!;
  }

  constructor(machine: { cpu: Cpu; mmu: Mmu; arena: Arena; onFramesFreed(l: FramesFreed): void }, opts: Tier1Options = {}) {
    this.cpu = machine.cpu;
    this.mem = machine.cpu.mem;
    this.mmu = machine.cpu.mmu;
    this.arena = machine.arena;
    this.watch = machine.mmu;
    this.threshold = Math.min(opts.hotThreshold ?? HOT_THRESHOLD, NEVER - 1);
    this.state = stateLayout(machine.arena.layout);
    this.i32 = new Int32Array(machine.arena.buffer);
    this.f64 = new Float64Array(machine.arena.buffer);
    this.table = new Wasm.Table({ initial: 16, element: 'anyfunc' });
    const ch = this.state.chain;
    this.i32.fill(MC_EMPTY, ch.tagLo >> 2, (ch.tagLo >> 2) + CHAIN_ENTRIES); // no entry names a page yet
    machine.onFramesFreed((pa, count) => this.framesFreed(pa, count));
  }

  /** Cpu.run(budget)'s contract, faster: see the file comment. */
  run(budget: number): Stop {
    const cpu = this.cpu;
    if (!(budget > 0)) return cpu.run(budget);
    const i32 = this.i32;
    const retired = this.state.retired >> 2;
    const vaShift = this.mmu.canonical(0x8000) ? 7 : 16; // 57- or 48-bit linear addresses
    let left = budget;
    this.bumpEpoch();
    const lastFrame = this.state.lastFrame >> 3;
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
      let frame = this.frames.get(page);
      if (frame === undefined) frame = this.newFrame(page);
      let code = frame.region;
      if (code !== undefined && code.checked !== this.epoch) {
        if (code.pageLo === (lo & ~0xfff) && code.pageHi === hi && this.current(code, page)) code.checked = this.epoch;
        else code = this.drop(page, frame);
      }
      let bn = code === undefined ? -1 : code.blockOf[idx]!;
      let len = 0;
      if (bn < 0) {
        len = frame.len[idx]!;
        if (len === 0) len = frame.len[idx] = this.lengthAt(page, lo);
        const count = frame.count[idx]!;
        if (count !== NEVER && (frame.count[idx] = count + 1) >= this.threshold) {
          code = this.compile(page, lo, hi, idx, frame);
          bn = code === undefined ? -1 : code.blockOf[idx]!;
        }
      }
      if (bn >= 0) {
        len = code!.lenOf[idx]!;
        if (left >= len) {
          this.recordChain(lo, hi, page, code!);
          i32[retired] = 0;
          const status = code!.fn(left < MAX_REGION_BUDGET ? left : MAX_REGION_BUDGET, vaShift, bn);
          const n = i32[retired]!; // the regions left their exit pc in the arena's pc
          const last = this.f64[lastFrame]!;
          if (last !== page) {
            // Chained into other pages' regions: the fetch page is the last one's, as a run
            // that fetched there would keep it.
            code = this.frames.get(last)!.region!;
            cpu.adoptFetchPage(code.pageLo, code.pageHi, last);
          }
          cpu.instret += n;
          left -= n;
          this.stats.regionRuns++;
          this.stats.regionRetired += n;
          if (status === STATUS_MISS) {
            // The region stopped AT an access its inline check did not serve: the interpreter
            // makes that one instruction (a fault stops here as it would in a run), and the
            // loop goes on after it. Only a store can have written code: the region's words,
            // the access among them, were checked this epoch.
            const store = (code!.words[(cpu.pcLo & 0xfff) >>> 2]! & 0x7f) === OPCODE_STORE; // the exiting region's own page
            const before = cpu.instret;
            const stop = cpu.run(1);
            left -= cpu.instret - before;
            if (store) this.bumpEpoch();
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
      this.bumpEpoch(); // the interpreter's stores are not watched
      if (stop !== Stop.Budget) return stop;
    }
  }

  /**
   * Forgets frames the machine's owner freed (Machine.framesFreed: the kernel's page allocator):
   * their regions are dropped and their frames no longer write-watched, their entry counts
   * cleared. Whatever the frames hold next (other code, at this or another address, or data)
   * starts afresh: no region stays alive for a frame that no longer holds its code, and a frame
   * reused for data is not left watched, which would make every compiled store into it miss.
   */
  private framesFreed(pa: number, count: number): void {
    if (this.frames.size === 0) return;
    for (let i = 0; i < count; i++) {
      const page = pa + i * PAGE_BYTES;
      const frame = this.frames.get(page);
      if (frame === undefined) continue;
      if (frame.region !== undefined) {
        this.watch.unwatchWrites(page);
        this.freeSlot(frame.region.slot);
        this.stats.freed++;
      } else {
        this.cold--;
      }
      this.frames.delete(page);
    }
  }

  /** Code may have been written: regions are checked against memory again before they run, and chain entries go stale. */
  private bumpEpoch(): void {
    this.epoch = (this.epoch + 1) | 0;
    this.i32[this.state.epoch >> 2] = this.epoch;
  }

  /**
   * The chain table's entry for the virtual page hi:lo (at its fetch micro-cache index) names
   * `code`, whose words were checked in this epoch: an exit to that page in this epoch may call it
   * directly once the fetch micro-cache maps the page to the same frame.
   */
  private recordChain(lo: number, hi: number, page: number, code: PageCode): void {
    const ch = this.state.chain;
    const i = ((lo >>> 12) ^ (lo >>> 20)) & (CHAIN_ENTRIES - 1);
    const i32 = this.i32;
    i32[(ch.tagLo >> 2) + i] = lo & ~0xfff;
    i32[(ch.tagHi >> 2) + i] = hi;
    i32[(ch.epoch >> 2) + i] = this.epoch;
    i32[(ch.slot >> 2) + i] = code.slot;
    this.f64[(ch.pa >> 3) + i] = page;
  }

  /** Clears the chain entries that name `slot` (its region is gone or replaced). */
  private unchain(slot: number): void {
    const ch = this.state.chain;
    for (let i = 0; i < CHAIN_ENTRIES; i++) {
      if (this.i32[(ch.slot >> 2) + i] === slot) this.i32[(ch.tagLo >> 2) + i] = MC_EMPTY;
    }
  }

  /** A slot in the region table for a new region's function. */
  private takeSlot(fn: RegionFn): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.nextSlot++;
      if (slot >= this.table.length) this.table.grow(this.table.length);
    }
    this.table.set(slot, fn);
    return slot;
  }

  private freeSlot(slot: number): void {
    this.unchain(slot);
    this.table.set(slot, null);
    this.freeSlots.push(slot);
  }

  private newFrame(page: number): FrameCode {
    if (this.cold >= MAX_COLD_FRAMES) {
      for (const [p, f] of this.frames) if (f.region === undefined) this.frames.delete(p);
      this.cold = 0;
    }
    const frame: FrameCode = { region: undefined, count: new Uint16Array(PAGE_WORDS), len: new Uint16Array(PAGE_WORDS) };
    this.frames.set(page, frame);
    this.cold++;
    return frame;
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

  /**
   * Drops a frame's region (its words changed, or it was compiled for another virtual page); every
   * entry of the frame counts afresh, and block lengths are taken again from what memory holds.
   */
  private drop(page: number, frame: FrameCode): undefined {
    this.freeSlot(frame.region!.slot);
    frame.region = undefined;
    frame.count.fill(0);
    frame.len.fill(0);
    this.cold++;
    this.watch.unwatchWrites(page);
    this.stats.invalidated++;
    return undefined;
  }

  /** (Re)compiles the frame's page with `idx` as one more entry; the page's code afterwards (the old one if idx cannot start a region). */
  private compile(page: number, lo: number, hi: number, idx: number, frame: FrameCode): PageCode | undefined {
    const old = frame.region;
    const mem = this.mem.chunkI32(page);
    const entries = old === undefined ? [idx] : [...old.entries, idx];
    const pageLo = lo & ~0xfff;
    const plan = mem === null ? null : planRegion(mem, this.mem.chunkOffset(page) >> 2, entries, pageLo, hi);
    if (plan === null || !plan.entries.includes(idx)) {
      frame.count[idx] = NEVER; // e.g. an ecall, or an entry branch whose target would trap: the interpreter's
      return old;
    }
    const t0 = performance.now();
    const compiled = translateRegion(plan, pageLo, hi, page, this.state);
    const inst = new Wasm.Instance(new Wasm.Module(compiled.bytes), { env: { mem: this.arena.memory, table: this.table } });
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
    const fn = inst.exports[REGION_EXPORT] as RegionFn;
    if (old !== undefined) this.freeSlot(old.slot);
    const c: PageCode = {
      fn,
      slot: this.takeSlot(fn),
      pageLo,
      pageHi: hi,
      used: Int32Array.from(used),
      words: plan.words,
      blockOf,
      lenOf,
      entries: plan.entries,
      checked: this.epoch,
    };
    if (old === undefined) this.cold--;
    frame.region = c;
    this.watch.watchWrites(page); // its stores miss inline: the interpreter makes them (memory-access.ts)
    return c;
  }
}
