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
  /** Instructions the region retired (i32). */
  readonly retired: number;
  /** The arena's size in 64-KiB pages (the memory a region imports). */
  readonly memoryPages: number;
  /** The arena layout itself (micro-cache and TLB arrays: memory-access.ts). */
  readonly arena: ArenaLayout;
}

export function stateLayout(arena: ArenaLayout): StateLayout {
  return {
    regs: arena.regs,
    pc: arena.pc,
    loadMisses: arena.scratch,
    storeMisses: arena.scratch + 4,
    retired: arena.scratch + 8,
    memoryPages: arena.bytes / 65536,
    arena,
  };
}

/** Byte offset of register r. */
export function regOffset(s: StateLayout, r: number): number {
  return s.regs + 8 * r;
}
