// The chained exit (docs/jit.md, "Chaining between pages"): the code at the end of a region's
// common exit path that, when the exit leaves the page with budget left, enters the target
// page's region directly instead of returning to the run loop. It makes the fetch translation
// the interpreter makes when pc enters another page, as a micro-cache hit counted in the ITLB,
// and finds the region in the chain table the run loop keeps (tier1.ts recordChain).
import { Access } from '../trap';
import { MC_BITS } from '../arena';
import { Op } from './wasm';
import type { Body } from './wasm';
import type { StateLayout } from './regfile';

/** The region function's locals and parameters the chained exit reads. */
export interface ChainLocals {
  /** i32: 1 when the exit leaves the page. */
  go: number;
  /** i32: instructions this region call retired. */
  n: number;
  /** i64: the exit pc. */
  xpc: number;
  /** Parameters: the call's budget and the paging mode's shift. */
  budget: number;
  vaShift: number;
  /** Three i32 scratch locals. */
  scratch: readonly [number, number, number];
}

/**
 * After an exit to another page (go = 1) with budget left, the state stored: enter the region
 * of the target's page directly, by a tail call through the region table, when the chain table
 * names one for the page the fetch micro-cache maps there. What the interpreter does when pc
 * enters another page is a fetch translation; on a micro-cache hit that is a hit counted in the
 * ITLB (micro-hits + 1, with LRU the clock + 1 and the slot stamped), which is what this does
 * before the call; anything else (a miss, a chain entry for another page, frame or epoch)
 * returns to the run loop, which translates as the interpreter would. The budget test comes
 * first: with no budget left the interpreter would not fetch there either.
 */
export function emitChain(b: Body, s: StateLayout, l: ChainLocals): void {
  const mc = s.arena.mc;
  const tlb = s.arena.itlb;
  const ch = s.chain;
  const fb = (Access.Fetch << MC_BITS) * 4; // byte offset of the fetch entries in the i32 arrays
  const [lo, i4, slot] = l.scratch;
  b.block(); // $no
  b.get(l.go).op(Op.i32_eqz).brIf(0);
  b.get(l.n).get(l.budget).op(Op.i32_ge_u).brIf(0);
  b.get(l.xpc).op(Op.i32_wrap_i64).set(lo);
  b.get(lo).i32(12 - 2).op(Op.i32_shr_u).get(lo).i32(12 + MC_BITS - 2).op(Op.i32_shr_u).op(Op.i32_xor);
  b.i32(((1 << MC_BITS) - 1) << 2).op(Op.i32_and).set(i4);
  // The fetch entry: tag (pc is 4-aligned: a page compare), TLB generation.
  b.get(i4).mem(Op.i32_load, 2, mc.tagLo + fb).get(lo).i32(~0xfff).op(Op.i32_and).op(Op.i32_ne).brIf(0);
  b.get(i4).mem(Op.i32_load, 2, mc.tagHi + fb).get(l.xpc).i64(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64).op(Op.i32_ne).brIf(0);
  b.get(i4).mem(Op.i32_load, 2, mc.slot + fb).tee(slot).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, tlb.gen);
  b.get(i4).mem(Op.i32_load, 2, mc.gen + fb).op(Op.i32_ne).brIf(0);
  // The chain entry: the same page, the same frame, checked in this epoch.
  b.get(i4).mem(Op.i32_load, 2, ch.tagLo).get(lo).i32(~0xfff).op(Op.i32_and).op(Op.i32_ne).brIf(0);
  b.get(i4).mem(Op.i32_load, 2, ch.tagHi).get(l.xpc).i64(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64).op(Op.i32_ne).brIf(0);
  b.get(i4).mem(Op.i32_load, 2, ch.epoch).i32(0).mem(Op.i32_load, 2, s.epoch).op(Op.i32_ne).brIf(0);
  b.get(i4).i32(1).op(Op.i32_shl).mem(Op.f64_load, 3, ch.pa);
  b.get(i4).i32(1).op(Op.i32_shl).mem(Op.f64_load, 3, mc.pa + 2 * fb);
  b.op(Op.f64_eq).op(Op.i32_eqz).brIf(0);
  // The ITLB hit, as Tlb.touch counts it.
  b.i32(0).i32(0).mem(Op.f64_load, 3, tlb.microHits).f64(1).op(Op.f64_add).mem(Op.f64_store, 3, tlb.microHits);
  if (tlb.lru) {
    b.i32(0).i32(0).mem(Op.f64_load, 3, tlb.clock).f64(1).op(Op.f64_add).mem(Op.f64_store, 3, tlb.clock);
    b.get(slot).i32(3).op(Op.i32_shl).i32(0).mem(Op.f64_load, 3, tlb.clock).mem(Op.f64_store, 3, tlb.stamp);
  }
  b.i32(0).i32(0).mem(Op.i32_load, 2, s.chains).i32(1).op(Op.i32_add).mem(Op.i32_store, 2, s.chains);
  // region(budget - n, vaShift, -1 - word): the target's region finds its block by word.
  b.get(l.budget).get(l.n).op(Op.i32_sub);
  b.get(l.vaShift);
  b.i32(-1).get(lo).i32(0xfff).op(Op.i32_and).i32(2).op(Op.i32_shr_u).op(Op.i32_sub);
  b.get(i4).mem(Op.i32_load, 2, ch.slot);
  b.returnCallIndirect(0);
  b.end();
}
