// Tier 1's loads and stores: the code regions emit for them. Everything that
// knows how a compiled access reaches guest memory is in this file.
//
// Each access makes the micro-cache check inline against the arena
// (docs/jit.md, "The check compiled code makes"; AccessEmitter): on a hit it
// counts the hit as Tlb.touch does and reads or writes the arena directly.
// Anything else (a micro-cache miss, a misaligned or page-crossing access, a
// frame outside the arena, a store into a write-watched frame) leaves the
// region AT the instruction, with everything before it retired, and the run
// loop's interpreter does the access as it always does (cpu.ts, cases
// lb..sd): the same tryTranslate in the same micro-cache state, so the same
// TLB lookups, fills, LRU stamps, A/D updates and faults. Frames holding
// compiled code are write-watched (Mmu.watchWrites), so a region's store
// there is always made by the interpreter, after which the run loop re-checks
// the words of the next region it enters.
//
// There is no call from a region to JavaScript: a call clobbers every
// register, and with every guest register a local live across the region's
// dispatch loop, one call-out per access made V8's optimizing compiler split
// and spill every one of them at each call site. On the 347-instruction
// region of the c-mix benchmark that cost ~1 s of compile time, ~28 MB of
// compiler zone memory (the RSS target missed by ~30 MiB) and spill
// stores on the hot paths.
import { Access } from '../trap';
import { OP } from '../isa/table';
import { MC_BITS, NO_HOST } from '../arena';
import { Op, ValType } from './wasm';
import type { Body } from './wasm';
import type { StateLayout } from './regfile';
import type { Insn } from './region';
import { writesRd } from './region';

const SB = OP.sb!, SH = OP.sh!, SW = OP.sw!;
const LB = OP.lb!, LH = OP.lh!, LW = OP.lw!, LD = OP.ld!, LBU = OP.lbu!, LHU = OP.lhu!;

/** What a region returns: an ordinary exit, or an exit AT an access the interpreter must make. */
export const STATUS_OK = 0;
export const STATUS_MISS = 1;

/** How the translator emits a region exit: it owns the branch depths. */
export interface AccessExits {
  /** Emits code that leaves the region AT the current instruction with STATUS_MISS, nothing of it done (inside `extra` open blocks). */
  missExit(extraDepth: number): void;
}

/** i64 load opcode and byte size of each load kind, as the register gets it (sign- or zero-extended). */
const LOAD_OPS: ReadonlyMap<number, [Op, number]> = new Map<number, [Op, number]>([
  [LB, [Op.i64_load8_s, 1]], [LBU, [Op.i64_load8_u, 1]], [LH, [Op.i64_load16_s, 2]], [LHU, [Op.i64_load16_u, 2]],
  [LW, [Op.i64_load32_s, 4]], [OP.lwu!, [Op.i64_load32_u, 4]], [LD, [Op.i64_load, 8]],
]);
/** Groups of accesses through one register a block may keep at once (4 * 3 locals). */
const GROUPS = 4;

const STORE_OPS: ReadonlyMap<number, [Op, number]> = new Map<number, [Op, number]>([
  [SB, [Op.i64_store8, 1]], [SH, [Op.i64_store16, 2]], [SW, [Op.i64_store32, 4]], [OP.sd!, [Op.i64_store, 8]],
]);

/**
 * Emits loads and stores for one region: the micro-cache check of docs/jit.md
 * ("The check compiled code makes") inline, an exit to the interpreter on
 * anything else.
 * Owns the scratch locals it needs.
 */
export class AccessEmitter {
  private readonly lo: number;
  private readonly i4: number;
  private readonly slot: number;
  private readonly host: number;
  private readonly v: number;
  /**
   * The DTLB's micro-hit count and LRU clock, kept in i64 locals (in the
   * arena, as f64s, only at exits). Both are integers below
   * 2^53, so the conversions are exact.
   */
  private readonly hits: number;
  private readonly clock: number;
  /**
   * Pages found by full checks, kept for later accesses through the same base register: a pool
   * of GROUPS locals triples (the page's address with bits 11:0 clear as an i64, its host offset,
   * its TLB slot), handed out per block to (access kind, register) pairs in order of use. A
   * micro-cache entry a check found valid stays valid for the whole region call (only the MMU,
   * which runs between calls, changes entries), so an access of that kind whose address lies in
   * the group's page and is aligned hits the same entry: it needs only the page test
   * (sameBase()). The test compares whole 64-bit pages, so it holds whatever happened to the
   * register since; the register only predicts which page to test.
   */
  private readonly pool: { page: number; host: number; slot: number }[];
  /** This block's groups: key access * 32 + reg -> pool index. */
  private readonly assigned = new Map<number, number>();
  /** Keys whose group holds a page checked in this region call, or (a loop's first access) a page its test fails on. */
  private readonly live = new Set<number>();

  constructor(
    private readonly b: Body,
    private readonly s: StateLayout,
    private readonly exits: AccessExits,
  ) {
    this.lo = b.local(ValType.I32);
    this.i4 = b.local(ValType.I32);
    this.slot = b.local(ValType.I32);
    this.host = b.local(ValType.I32);
    this.v = b.local(ValType.I64);
    this.hits = b.local(ValType.I64);
    this.clock = b.local(ValType.I64);
    this.pool = Array.from({ length: GROUPS }, () => ({ page: b.local(ValType.I64), host: b.local(ValType.I32), slot: b.local(ValType.I32) }));
  }

  /**
   * At each block start: a block can be entered from elsewhere, so no group is known to hold a
   * checked page. For a block that loops to itself (`loop`: its instructions), the first access
   * of each kind through a register the block does not write before it gets a group that lives
   * across iterations: before the wasm loop (run only when the block is entered, not on its back
   * edge) the group's page is set to the access's own page with bit 63 flipped, computed from
   * the register as it is then, so the first iteration's test fails and the full check fills the
   * group; later iterations test the page found. `reg(r)` pushes register r's value.
   */
  startBlock(loop: readonly Insn[] | null, reg: (r: number) => void): void {
    this.assigned.clear();
    this.live.clear();
    if (loop === null) return;
    const written = new Set<number>();
    for (const insn of loop) {
      const kind = LOAD_OPS.has(insn.id) ? Access.Read : STORE_OPS.has(insn.id) ? Access.Write : -1;
      if (kind >= 0 && insn.rs1 !== 0 && !written.has(insn.rs1)) {
        const key = kind * 32 + insn.rs1;
        if (!this.assigned.has(key) && this.assigned.size < GROUPS) {
          const g = this.pool[this.assigned.size]!;
          this.assigned.set(key, this.assigned.size);
          this.live.add(key);
          reg(insn.rs1);
          this.b.i64(insn.imm).op(Op.i64_add).i64(~0xfff).op(Op.i64_and).i64(0, -0x80000000).op(Op.i64_xor).set(g.page);
        }
      }
      if (insn.rd !== 0 && writesRd(insn)) written.add(insn.rd);
    }
  }

  /**
   * At the region's start: the DTLB's micro-hit count and LRU clock into
   * locals. A chain of hits would otherwise update them through memory at
   * every access (a store-to-load dependency, plus f64 additions, that cost
   * ~40% of the run time of memory-heavy code).
   */
  loadCounters(): void {
    const b = this.b;
    const tlb = this.s.arena.dtlb;
    b.i32(0).mem(Op.f64_load, 3, tlb.microHits).op(Op.i64_trunc_f64_s).set(this.hits);
    b.i32(0).mem(Op.f64_load, 3, tlb.clock).op(Op.i64_trunc_f64_s).set(this.clock);
  }

  /** At every exit: the counters back where the MMU (and the interpreter) read them. */
  storeCounters(): void {
    const b = this.b;
    const tlb = this.s.arena.dtlb;
    b.i32(0).get(this.hits).op(Op.f64_convert_i64_s).mem(Op.f64_store, 3, tlb.microHits);
    b.i32(0).get(this.clock).op(Op.f64_convert_i64_s).mem(Op.f64_store, 3, tlb.clock);
  }

  /**
   * The inline check for an access of `size` bytes at local `addr` (i64) through register `reg`,
   * inside `block $miss`: branches to $miss (depth 0) unless the micro-cache
   * hits with a host offset; on a hit counts it as the interpreter's
   * Mmu.tryTranslate + Tlb.touch do and leaves the arena address of the
   * bytes in local host.
   */
  private check(access: Access, size: number, addr: number, reg: number): void {
    const b = this.b;
    const mc = this.s.arena.mc;
    const tlb = this.s.arena.dtlb;
    const base = (access << MC_BITS) * 4; // byte offset of this access kind's entries in the i32 arrays
    // lo, and i4 = 4 * (((lo >>> 12) ^ (lo >>> 20)) & 255) (arena.ts MC_BITS)
    b.get(addr).op(Op.i32_wrap_i64).tee(this.lo);
    b.i32(12 - 2).op(Op.i32_shr_u);
    b.get(this.lo).i32(12 + MC_BITS - 2).op(Op.i32_shr_u).op(Op.i32_xor);
    b.i32(((1 << MC_BITS) - 1) << 2).op(Op.i32_and).set(this.i4);
    // tagLo[i] == lo & (~0xfff | (size - 1)): a misaligned access misses
    b.get(this.i4).mem(Op.i32_load, 2, mc.tagLo + base);
    b.get(this.lo).i32(~0xfff | (size - 1)).op(Op.i32_and).op(Op.i32_ne).brIf(0);
    // tagHi[i] == hi
    b.get(this.i4).mem(Op.i32_load, 2, mc.tagHi + base);
    b.get(addr).i64(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64).op(Op.i32_ne).brIf(0);
    // tlb.gen[slot[i]] == gen[i]
    b.get(this.i4).mem(Op.i32_load, 2, mc.slot + base).tee(this.slot);
    b.i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, tlb.gen);
    b.get(this.i4).mem(Op.i32_load, 2, mc.gen + base).op(Op.i32_ne).brIf(0);
    // host[i] != NO_HOST
    b.get(this.i4).mem(Op.i32_load, 2, mc.host + base).tee(this.host);
    b.i32(NO_HOST).op(Op.i32_eq).brIf(0);
    // A hit: microHits += 1; with LRU stamp[slot] = ++clock (Tlb.touch).
    b.get(this.hits).i64(1).op(Op.i64_add).set(this.hits);
    if (tlb.lru) {
      b.get(this.clock).i64(1).op(Op.i64_add).set(this.clock);
      b.get(this.slot).i32(3).op(Op.i32_shl).get(this.clock).op(Op.f64_convert_i64_s).mem(Op.f64_store, 3, tlb.stamp);
    }
    const g = this.groupFor(access, reg);
    if (g !== null) {
      // Later accesses through `reg` test this page first.
      b.get(addr).i64(~0xfff).op(Op.i64_and).set(g.page);
      b.get(this.host).set(g.host);
      b.get(this.slot).set(g.slot);
      this.live.add(access * 32 + reg);
    }
    b.get(this.host).get(this.lo).i32(0xfff).op(Op.i32_and).op(Op.i32_add).set(this.host);
  }

  /** The group of (access, reg) in this block, handed out now if the pool has one left; null for x0 or none left. */
  private groupFor(access: Access, reg: number): { page: number; host: number; slot: number } | null {
    if (reg === 0) return null;
    const key = access * 32 + reg;
    let i = this.assigned.get(key);
    if (i === undefined) {
      if (this.assigned.size >= GROUPS) return null;
      i = this.assigned.size;
      this.assigned.set(key, i);
    }
    return this.pool[i]!;
  }

  /** Whether an access of this kind through `reg` tests its group's page before (or instead of) the full check. */
  private grouped(access: Access, reg: number): boolean {
    return reg !== 0 && this.live.has(access * 32 + reg);
  }

  /**
   * The group's test, inside `block $full`: d = addr - page (64 bits); when d & (~0xfff |
   * (size - 1)) is 0 the access lies in the group's page and is aligned, so it hits the group's
   * entry: counted as a hit as check() counts one, host = the arena address. Otherwise branches
   * to $full (depth 0), where the full check runs.
   */
  private sameBase(access: Access, reg: number, size: number, addr: number): void {
    const b = this.b;
    const tlb = this.s.arena.dtlb;
    const g = this.pool[this.assigned.get(access * 32 + reg)!]!;
    b.get(addr).get(g.page).op(Op.i64_sub).tee(this.v);
    b.i64(~0xfff | (size - 1)).op(Op.i64_and).op(Op.i64_eqz).op(Op.i32_eqz).brIf(0);
    b.get(this.hits).i64(1).op(Op.i64_add).set(this.hits);
    if (tlb.lru) {
      b.get(this.clock).i64(1).op(Op.i64_add).set(this.clock);
      b.get(g.slot).i32(3).op(Op.i32_shl).get(this.clock).op(Op.f64_convert_i64_s).mem(Op.f64_store, 3, tlb.stamp);
    }
    b.get(g.host).get(this.v).op(Op.i32_wrap_i64).op(Op.i32_add).set(this.host);
  }

  /** Counts a miss (the i32 at `at` in scratch) and leaves AT the instruction, from inside `extra` open blocks. */
  private miss(at: number, extra: number): void {
    const b = this.b;
    b.i32(0).i32(0).mem(Op.i32_load, 2, at).i32(1).op(Op.i32_add).mem(Op.i32_store, 2, at);
    this.exits.missExit(extra);
  }

  /**
   * A load through base register `reg`: the address (i64) is in local `addr`; leaves the value,
   * as the register gets it, on the stack.
   */
  load(id: number, addr: number, reg: number): void {
    const b = this.b;
    const [op, size] = LOAD_OPS.get(id)!;
    b.block(); // $done
    b.block(); // $miss
    if (this.grouped(Access.Read, reg)) {
      b.block(); // $full
      this.sameBase(Access.Read, reg, size, addr);
      b.get(this.host).mem(op, 0, 0).set(this.v).br(2);
      b.end();
    }
    this.check(Access.Read, size, addr, reg);
    b.get(this.host).mem(op, 0, 0).set(this.v).br(1);
    b.end();
    this.miss(this.s.loadMisses, 1);
    b.end();
    b.get(this.v);
  }

  /** A store of local `value` (i64) at local `addr`, through base register `reg`. */
  store(id: number, addr: number, value: number, reg: number): void {
    const b = this.b;
    const [op, size] = STORE_OPS.get(id)!;
    b.block(); // $done
    b.block(); // $miss
    if (this.grouped(Access.Write, reg)) {
      b.block(); // $full
      this.sameBase(Access.Write, reg, size, addr);
      b.get(this.host).get(value).mem(op, 0, 0).br(2);
      b.end();
    }
    this.check(Access.Write, size, addr, reg);
    b.get(this.host).get(value).mem(op, 0, 0).br(1);
    b.end();
    this.miss(this.s.storeMisses, 1);
    b.end();
  }
}
