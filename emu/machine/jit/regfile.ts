// Where compiled regions find the machine state: the one place that knows.
//
// Regions import the machine's arena (arena.ts) as their memory and address
// the register file and pc in its state block directly, where the
// interpreter's views (Cpu.x, Cpu.pcLo/pcHi) see them: x[r] is an i64 at
// regs + 8r (int32 halves, low first), pc an i64 at `pc`. Nothing is copied
// at a tier switch. Inside a region the registers it uses live in i64
// locals, loaded on entry and stored back (those it writes) at every exit,
// including the exits at an access the inline check could not make. Tier 1's
// own fields (the retired count, the miss counts) sit in the arena's scratch
// block, which the interpreter never touches.
import { MC_BITS } from '../arena';
import type { ArenaLayout } from '../arena';

/** Offsets compiled code embeds as constants (all from the arena's start). */
export interface StateLayout {
  /** x[r] at regs + 8r. */
  readonly regs: number;
  /** The pc (i64): a region leaves its exit pc here. */
  readonly pc: number;
  /** Loads and stores the inline check did not serve, left to the interpreter (i32 each, counted up). */
  readonly loadMisses: number;
  readonly storeMisses: number;
  /** Instructions retired by the region calls since the run loop zeroed it (i32; each region adds its count at its exit). */
  readonly retired: number;
  /** Region-to-region chains taken (i32, counted up). */
  readonly chains: number;
  /** The run loop's epoch (i32): a chain entry recorded under another epoch is stale. */
  readonly epoch: number;
  /** The frame (f64 physical address) and virtual page (i32 halves) of the region that exited last. */
  readonly lastFrame: number;
  readonly lastPageLo: number;
  readonly lastPageHi: number;
  /**
   * The chain table: per fetch micro-cache index (256), the region a chained exit may enter when
   * the fetch entry there hits: its virtual page (tagLo, tagHi: i32), frame (pa: f64), the epoch
   * its words were checked in (i32) and its function's slot in the region table (i32).
   */
  readonly chain: { tagLo: number; tagHi: number; pa: number; epoch: number; slot: number };
  /** The arena's size in 64-KiB pages (the memory a region imports). */
  readonly memoryPages: number;
  /** The arena layout itself (micro-cache and TLB arrays: memory-access.ts). */
  readonly arena: ArenaLayout;
}

/** Entries of the chain table: one per fetch-side micro-cache entry. */
export const CHAIN_ENTRIES = 1 << MC_BITS;

export function stateLayout(arena: ArenaLayout): StateLayout {
  return {
    regs: arena.regs,
    pc: arena.pc,
    loadMisses: arena.scratch,
    storeMisses: arena.scratch + 4,
    retired: arena.scratch + 8,
    chains: arena.scratch + 12,
    epoch: arena.scratch + 16,
    lastPageLo: arena.scratch + 20,
    lastFrame: arena.scratch + 24,
    lastPageHi: arena.scratch + 32,
    chain: {
      tagLo: arena.scratch + 1024,
      tagHi: arena.scratch + 1024 + 4 * CHAIN_ENTRIES,
      epoch: arena.scratch + 1024 + 8 * CHAIN_ENTRIES,
      slot: arena.scratch + 1024 + 12 * CHAIN_ENTRIES,
      pa: arena.scratch + 1024 + 16 * CHAIN_ENTRIES,
    },
    memoryPages: arena.bytes / 65536,
    arena,
  };
}

/** Byte offset of register r. */
export function regOffset(s: StateLayout, r: number): number {
  return s.regs + 8 * r;
}
