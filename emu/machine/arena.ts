// The arena: one WebAssembly.Memory per machine holding everything compiled
// code (tier 1, emu/machine/jit) reads or writes, because Node 20 has no wasm
// multi-memory and a wasm function addresses exactly one memory.
//
//   [0, ramBytes)          guest RAM's first chunk (PhysMem chunk 0: all of RAM
//                          up to 1 GiB): guest physical address pa is arena
//                          byte pa, so a host offset IS the physical address
//   [state, state + ...)   the CPU-state block, page aligned after RAM:
//                          registers, pc, the MMU's micro-cache, each TLB's
//                          gen/stamp arrays, LRU clock and micro-hit counter,
//                          then a scratch block that belongs to tier 1
//
// The interpreter uses the same bytes through typed-array views (Cpu.x is an
// Int32Array over the register block; the Mmu's and Tlb's arrays are views),
// so both tiers see one state and nothing is copied at a tier switch. The
// layout (ArenaLayout) is fixed when the machine is built: offsets are
// constants compiled code may embed. The memory never grows (growing would
// detach every view).
//
//   [frames, bytes)        the frame pool, for guests above 1 GiB: frames of
//                          RAM above 1 GiB get a 4K place here at their first
//                          touch (PhysMem's frame table), up to the 4-GiB
//                          limit of a wasm memory; frames beyond it go to
//                          PhysMem's spill buffers, outside the arena
//
// The interpreter reaches RAM above 1 GiB through the GuestMemory methods
// (RamView covers chunk 0 only); compiled code reaches the frame pool inline
// through the micro-cache's host offset (not the physical address there) and
// leaves spilled frames to the interpreter (host offset -1). An Mmu or Cpu built without an arena
// (the conformance runner over SparsePhysMem, unit tests) keeps the same
// arrays on the JS heap: only compiled code needs the arena.
//
// Cost: V8 reserves a wasm memory's address space lazily; RSS grows with the
// pages touched, as with the 1-GiB ArrayBuffer it replaces (docs/jit.md has
// the measurements, including 500 machines built one after another).
import { TWO32 } from './cpu/int64';
import { PAGE_SIZE } from './mmu/paging';

const WASM_PAGE = 65536;

/**
 * The host's WebAssembly.Memory, typed here: the project's lib setting
 * (es2022, node types) declares no WebAssembly API. Never call grow() on an
 * arena's memory (it would detach every view).
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

const WasmMemoryCtor = (globalThis as unknown as { WebAssembly: { Memory: new (desc: { initial: number; maximum?: number }) => WasmMemory } })
  .WebAssembly.Memory;

/** Register-file slots: x0..x31 and the x0 write sink (decode.ts SINK_SLOT / 2). */
export const REG_SLOTS = 33;

/**
 * Micro-cache geometry (mmu.ts): per access kind (Access.Read/Write/Fetch =
 * 0/1/2), 256 entries direct-mapped by the 4K page number p = lo >>> 12
 * hashed as (p ^ (p >>> MC_BITS)) & 255, i.e. ((lo >>> 12) ^ (lo >>> 20)) &
 * 255: 256 consecutive pages still take 256 distinct entries, and two arrays
 * a multiple of 1 MiB apart, walked side by side, no longer evict each
 * other's entries at every access.
 */
export const MC_BITS = 8;
export const MC_ENTRIES = 3 << MC_BITS;
/**
 * The tag of an empty micro-cache entry. Bit 11 is set, so it equals neither a
 * page address (bits 11:0 clear) nor an address masked with the alignment
 * folded in (`lo & (~0xfff | (size - 1))`, bits 11:3 clear): compiled code
 * can compare such a masked address with the tag and miss on both an empty
 * entry and a misaligned access.
 */
export const MC_EMPTY = 0x800;
/** A micro-cache host offset meaning "not in the arena's RAM, or write-watched: compiled code leaves the access to the interpreter". */
export const NO_HOST = -1;

/** Byte offsets of one TLB's fast-path state (SDM 4.10.2 state stays in Tlb's other arrays, on the JS heap). */
export interface TlbArenaLayout {
  /** Entries (slots) of this TLB; the arrays below have this many elements. */
  readonly slots: number;
  /** Whether a hit updates stamp[slot] and clock (LRU replacement). */
  readonly lru: boolean;
  /** i32[slots]: gen[slot], bumped whenever the slot's entry dies. */
  readonly gen: number;
  /** f64[slots]: stamp[slot], the LRU clock value of the slot's last use. */
  readonly stamp: number;
  /** f64: the LRU clock (a hit does stamp[slot] = ++clock). */
  readonly clock: number;
  /** f64: hits served by the micro-cache (a hit does microHits++). */
  readonly microHits: number;
}

/**
 * Where everything lives in the arena, in bytes from its start. All offsets
 * are multiples of 8; `state` and `scratch` are multiples of 4096.
 */
export interface ArenaLayout {
  /** Size of the memory (a multiple of 64 KiB; never grows). */
  readonly bytes: number;
  /** Guest RAM in the arena: physical [0, ramBytes) at arena [0, ramBytes). */
  readonly ramBytes: number;
  /** Start of the CPU-state block. */
  readonly state: number;
  /**
   * The register file: slot r (x0..x31, 32 = the x0 write sink) is an i64
   * at regs + 8r, low half first (Cpu.x[2r], Cpu.x[2r+1]); x0's slot is
   * always 0.
   */
  readonly regs: number;
  /** pc as an i64 (Cpu.pcLo at +0, Cpu.pcHi at +4). */
  readonly pc: number;
  /**
   * The MMU's micro-cache, arrays of MC_ENTRIES elements, entry
   * i = (access << MC_BITS) | (((lo >>> 12) ^ (lo >>> 20)) & ((1 << MC_BITS) - 1)). An entry
   * is valid iff tagLo[i] == lo & ~0xfff, tagHi[i] == hi and
   * tlb.gen[slot[i]] == gen[i] (tlb: the ITLB for Access.Fetch, else the
   * DTLB); a hit then counts as the TLB hit it is (microHits++, and with LRU
   * stamp[slot] = ++clock). The write side holds only entries with D set.
   */
  readonly mc: {
    /** i32: the page's linear address bits 31:12 (bits 11:0 clear), or MC_EMPTY. */
    readonly tagLo: number;
    /** i32: bits 63:32 of the linear address. */
    readonly tagHi: number;
    /** i32: the TLB slot the entry mirrors. */
    readonly slot: number;
    /** i32: that slot's gen when the entry was filled. */
    readonly gen: number;
    /**
     * i32: the 4K page's offset in the arena, or NO_HOST. Below 1 GiB it is
     * the physical address; above, the frame's place in the frame pool. An
     * unsigned offset: it may exceed 2^31 (negative as an i32); NO_HOST
     * (0xffffffff) is never a page offset.
     */
    readonly host: number;
    /** f64: the 4K page's physical address (any RAM, not only the arena's). */
    readonly pa: number;
  };
  readonly itlb: TlbArenaLayout;
  readonly dtlb: TlbArenaLayout;
  /** Bytes owned by tier 1 (emu/machine/jit); the interpreter never touches them. */
  readonly scratch: number;
  readonly scratchBytes: number;
  /** The frame pool, [frames, frames + frameBytes) = [frames, bytes): 4K frames of RAM above 1 GiB, placed at first touch (PhysMem). */
  readonly frames: number;
  readonly frameBytes: number;
}

/** A wasm memory (memory32) holds at most 65,536 pages: 4 GiB. */
export const ARENA_MAX_BYTES = TWO32;

/** Bytes of the tier-1 scratch block. */
export const SCRATCH_BYTES = 16384;

export interface ArenaOptions {
  /** Guest RAM held in the arena (a multiple of 4096, at most 1 GiB): PhysMem's first chunk. */
  ramBytes: number;
  itlb: { slots: number; lru: boolean };
  dtlb: { slots: number; lru: boolean };
  /** Bytes of frame pool wanted (RAM above 1 GiB); the layout gives what fits below ARENA_MAX_BYTES, in 64 KiB units. Default 0. */
  frameBytes?: number;
}

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

/** The layout for these sizes (pure: the same options give the same offsets). */
export function arenaLayout(o: ArenaOptions): ArenaLayout {
  const state = align(o.ramBytes, PAGE_SIZE);
  let at = state;
  const take = (bytes: number): number => {
    const here = at;
    at = align(at + bytes, 8);
    return here;
  };
  const regs = take(8 * REG_SLOTS);
  const pc = take(8);
  const mc = {
    tagLo: take(4 * MC_ENTRIES),
    tagHi: take(4 * MC_ENTRIES),
    slot: take(4 * MC_ENTRIES),
    gen: take(4 * MC_ENTRIES),
    host: take(4 * MC_ENTRIES),
    pa: take(8 * MC_ENTRIES),
  };
  const tlb = (t: { slots: number; lru: boolean }): TlbArenaLayout => ({
    slots: t.slots,
    lru: t.lru,
    gen: take(4 * t.slots),
    stamp: take(8 * t.slots),
    clock: take(8),
    microHits: take(8),
  });
  const itlb = tlb(o.itlb);
  const dtlb = tlb(o.dtlb);
  const scratch = align(at, PAGE_SIZE);
  const frames = align(scratch + SCRATCH_BYTES, WASM_PAGE);
  const frameBytes = Math.max(0, Math.min(align(o.frameBytes ?? 0, WASM_PAGE), ARENA_MAX_BYTES - frames));
  const bytes = frames + frameBytes;
  return { bytes, ramBytes: o.ramBytes, state, regs, pc, mc, itlb, dtlb, scratch, scratchBytes: SCRATCH_BYTES, frames, frameBytes };
}

/** Typed-array views of one TLB's fast-path state (Tlb's constructor takes them). */
export interface TlbViews {
  readonly gen: Int32Array;
  readonly stamp: Float64Array;
  /** [clock, microHits]. */
  readonly hot: Float64Array;
}

/** Typed-array views of the micro-cache (Mmu's constructor takes them). */
export interface McViews {
  readonly tagLo: Int32Array;
  readonly tagHi: Int32Array;
  readonly slot: Int32Array;
  readonly gen: Int32Array;
  readonly host: Int32Array;
  readonly pa: Float64Array;
}

/** The register file and pc (Cpu's constructor takes them). */
export interface CpuViews {
  /** 2 * REG_SLOTS int32 halves. */
  readonly x: Int32Array;
  /** [pcLo, pcHi]. */
  readonly pc: Int32Array;
}

/** The arena of one machine: the memory, its layout, and the views the interpreter uses. */
export class Arena {
  /** The memory compiled code imports (its buffer never changes: the memory never grows). */
  readonly memory: WasmMemory;
  readonly layout: ArenaLayout;
  readonly buffer: ArrayBuffer;
  readonly cpu: CpuViews;
  readonly mc: McViews;
  readonly itlb: TlbViews;
  readonly dtlb: TlbViews;

  constructor(opts: ArenaOptions) {
    if (!Number.isInteger(opts.ramBytes) || opts.ramBytes < 0 || opts.ramBytes % PAGE_SIZE !== 0 || opts.ramBytes > 2 ** 30) {
      throw new RangeError(`arena RAM must be a multiple of 4096 up to 1 GiB, got ${opts.ramBytes}`);
    }
    const l = arenaLayout(opts);
    this.layout = l;
    const pages = l.bytes / WASM_PAGE;
    this.memory = new WasmMemoryCtor({ initial: pages, maximum: pages });
    const buf = this.memory.buffer;
    this.buffer = buf;
    this.cpu = { x: new Int32Array(buf, l.regs, 2 * REG_SLOTS), pc: new Int32Array(buf, l.pc, 2) };
    this.mc = {
      tagLo: new Int32Array(buf, l.mc.tagLo, MC_ENTRIES).fill(MC_EMPTY),
      tagHi: new Int32Array(buf, l.mc.tagHi, MC_ENTRIES),
      slot: new Int32Array(buf, l.mc.slot, MC_ENTRIES),
      gen: new Int32Array(buf, l.mc.gen, MC_ENTRIES),
      host: new Int32Array(buf, l.mc.host, MC_ENTRIES).fill(NO_HOST),
      pa: new Float64Array(buf, l.mc.pa, MC_ENTRIES),
    };
    const tlb = (t: TlbArenaLayout): TlbViews => ({
      gen: new Int32Array(buf, t.gen, t.slots),
      stamp: new Float64Array(buf, t.stamp, t.slots),
      hot: new Float64Array(buf, t.clock, 2),
    });
    this.itlb = tlb(l.itlb);
    this.dtlb = tlb(l.dtlb);
  }
}

/** Heap-backed views for an Mmu built without an arena. */
export function heapMcViews(): McViews {
  return {
    tagLo: new Int32Array(MC_ENTRIES).fill(MC_EMPTY),
    tagHi: new Int32Array(MC_ENTRIES),
    slot: new Int32Array(MC_ENTRIES),
    gen: new Int32Array(MC_ENTRIES),
    host: new Int32Array(MC_ENTRIES).fill(NO_HOST),
    pa: new Float64Array(MC_ENTRIES),
  };
}

/** Heap-backed views for a Tlb built without an arena. */
export function heapTlbViews(slots: number): TlbViews {
  return { gen: new Int32Array(slots), stamp: new Float64Array(slots), hot: new Float64Array(2) };
}

/** Heap-backed views for a Cpu built without an arena (one buffer, pc right after the registers, as in the arena). */
export function heapCpuViews(): CpuViews {
  const buf = new ArrayBuffer(8 * REG_SLOTS + 8);
  return { x: new Int32Array(buf, 0, 2 * REG_SLOTS), pc: new Int32Array(buf, 8 * REG_SLOTS, 2) };
}
