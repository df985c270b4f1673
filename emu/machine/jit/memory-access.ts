// Tier 1's loads and stores: the code regions emit for them and the host
// functions that code calls. Everything that knows how a compiled access
// reaches guest memory is in this file.
//
// Each access first makes the micro-cache check inline against the arena
// (docs/jit.md, "The check compiled code makes"; AccessEmitter): on a hit it
// counts the hit as Tlb.touch does and reads or writes the arena directly.
// Anything else calls out to JavaScript, which does what the interpreter
// does (cpu.ts, cases lb..sd): an access that stays in its page goes through
// mmu.tryTranslate (micro-cache, TLB, walk: identical TLB contents, LRU
// stamps and statistics) and the direct RAM view; one that crosses a page
// takes the same slow path (crossLoad/crossStore). A fault returns
// STATUS_TRAP with the CPU's TrapRecord set and nothing written, and the
// region exits AT the instruction. Frames holding compiled code are
// write-watched (Mmu.watchWrites), so stores there always call out; such a
// store (and every page-crossing store) returns STATUS_CODE_WRITTEN: the
// region exits after it, and the run loop re-checks the words of the next
// region it enters, so the next instruction is the new one (the interpreter
// re-checks every fetch).
import type { GuestMemory } from '../mem/phys';
import { Access, TRAP_PENDING, TRAP_SENTINEL } from '../trap';
import { RamView, crossLoad, crossStore, pageLoad, pageStore } from '../cpu/access';
import type { Translator } from '../cpu/access';
import { PAGE_SIZE } from '../mmu/paging';
import { OP } from '../isa/table';
import { MC_BITS, NO_HOST } from '../arena';
import { Op, ValType } from './wasm';
import type { Body, FuncType } from './wasm';
import type { StateLayout } from './regfile';

/** What the access functions return to the region. */
export const STATUS_OK = 0;
export const STATUS_TRAP = 1;
export const STATUS_CODE_WRITTEN = 2;

/** The imports every region declares, in function-index order. */
export const MEMORY_IMPORTS: readonly { name: string; type: FuncType }[] = [
  { name: 'load', type: { params: [ValType.I32, ValType.I32, ValType.I32], results: [ValType.I32] } },
  {
    name: 'store',
    type: { params: [ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I32], results: [ValType.I32] },
  },
];
const FN_LOAD = 0;
/** RAM the code-frame map covers (vmlab's largest guest); stores beyond it always end a region. */
const MAX_MAPPED_RAM = 16 * 1024 * 1024 * 1024;
const FN_STORE = 1;

/** Load kinds passed to the load import: the table id's offset from lb. */
const LB = OP.lb!, LH = OP.lh!, LW = OP.lw!, LD = OP.ld!, LBU = OP.lbu!, LHU = OP.lhu!;
const SB = OP.sb!, SH = OP.sh!, SW = OP.sw!;

/** How the translator asks for a trap exit or an exit after the instruction: it emits the branch. */
export interface AccessExits {
  /** Emits code that leaves the region AT the current instruction with status STATUS_TRAP (inside `extra` open blocks). */
  trapExit(extraDepth: number): void;
  /** Emits code that leaves the region after the current instruction (it retired), pc at the next one, with status STATUS_CODE_WRITTEN. */
  afterExit(extraDepth: number): void;
}

/** i64 load opcode and byte size of each load kind, as the register gets it (sign- or zero-extended). */
const LOAD_OPS: ReadonlyMap<number, [Op, number]> = new Map<number, [Op, number]>([
  [LB, [Op.i64_load8_s, 1]], [LBU, [Op.i64_load8_u, 1]], [LH, [Op.i64_load16_s, 2]], [LHU, [Op.i64_load16_u, 2]],
  [LW, [Op.i64_load32_s, 4]], [OP.lwu!, [Op.i64_load32_u, 4]], [LD, [Op.i64_load, 8]],
]);
const STORE_OPS: ReadonlyMap<number, [Op, number]> = new Map<number, [Op, number]>([
  [SB, [Op.i64_store8, 1]], [SH, [Op.i64_store16, 2]], [SW, [Op.i64_store32, 4]], [OP.sd!, [Op.i64_store, 8]],
]);

/**
 * Emits loads and stores for one region: the micro-cache check of docs/jit.md
 * ("The check compiled code makes") inline, the call-out on anything else.
 * Owns the scratch locals it needs.
 */
export class AccessEmitter {
  private readonly lo: number;
  private readonly i4: number;
  private readonly slot: number;
  private readonly host: number;
  private readonly st: number;
  private readonly v: number;
  /**
   * The DTLB's micro-hit count and LRU clock, kept in i64 locals (in the
   * arena, as f64s, only at exits and call-outs). Both are integers below
   * 2^53, so the conversions are exact.
   */
  private readonly hits: number;
  private readonly clock: number;

  constructor(
    private readonly b: Body,
    private readonly s: StateLayout,
    private readonly exits: AccessExits,
  ) {
    this.lo = b.local(ValType.I32);
    this.i4 = b.local(ValType.I32);
    this.slot = b.local(ValType.I32);
    this.host = b.local(ValType.I32);
    this.st = b.local(ValType.I32);
    this.v = b.local(ValType.I64);
    this.hits = b.local(ValType.I64);
    this.clock = b.local(ValType.I64);
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

  /** Before a call-out and at every exit: the counters back where the MMU (and the interpreter) read them. */
  storeCounters(): void {
    const b = this.b;
    const tlb = this.s.arena.dtlb;
    b.i32(0).get(this.hits).op(Op.f64_convert_i64_s).mem(Op.f64_store, 3, tlb.microHits);
    b.i32(0).get(this.clock).op(Op.f64_convert_i64_s).mem(Op.f64_store, 3, tlb.clock);
  }

  /**
   * The inline check for an access of `size` bytes at local `addr` (i64),
   * inside `block $miss`: branches to $miss (depth 0) unless the micro-cache
   * hits with a host offset; on a hit counts it as the interpreter's
   * Mmu.tryTranslate + Tlb.touch do and leaves the arena address of the
   * bytes in local host.
   */
  private check(access: Access, size: number, addr: number): void {
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
    b.get(this.host).get(this.lo).i32(0xfff).op(Op.i32_and).op(Op.i32_add).set(this.host);
  }

  /** A load: the address (i64) is in local `addr`; leaves the value, as the register gets it, on the stack. */
  load(id: number, addr: number): void {
    const b = this.b;
    const [op, size] = LOAD_OPS.get(id)!;
    b.block(); // $done
    b.block(); // $miss
    this.check(Access.Read, size, addr);
    b.get(this.host).mem(op, 0, 0).set(this.v).br(1);
    b.end();
    // The call-out: misses, faults, RAM beyond the arena, misaligned and page-crossing accesses.
    b.get(addr).op(Op.i32_wrap_i64);
    b.get(addr).i64(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64);
    b.i32(id);
    this.storeCounters();
    b.call(FN_LOAD);
    this.loadCounters();
    b.if();
    this.exits.trapExit(2);
    b.end();
    b.i32(0).mem(Op.i64_load, 3, this.s.loadValue).set(this.v);
    b.end();
    b.get(this.v);
  }

  /** A store of local `value` (i64) at local `addr`. */
  store(id: number, addr: number, value: number): void {
    const b = this.b;
    const [op, size] = STORE_OPS.get(id)!;
    b.block(); // $done
    b.block(); // $miss
    this.check(Access.Write, size, addr);
    b.get(this.host).get(value).mem(op, 0, 0).br(1);
    b.end();
    // The call-out: also every store into a write-watched frame (one holding compiled code).
    b.get(addr).op(Op.i32_wrap_i64);
    b.get(addr).i64(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64);
    b.i32(id);
    b.get(value).op(Op.i32_wrap_i64);
    b.get(value).i64(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64);
    this.storeCounters();
    b.call(FN_STORE).tee(this.st);
    this.loadCounters();
    b.if();
    b.get(this.st).i32(STATUS_TRAP).op(Op.i32_eq);
    b.if();
    this.exits.trapExit(3);
    b.end();
    this.exits.afterExit(2);
    b.end();
    b.end();
  }
}

/** The host side: the functions regions import, bound to one machine. */
export class MemoryPort {
  private readonly ram: RamView;
  /**
   * One byte per frame of RAM: 1 where a compiled region's code lives.
   * A store there ends the running region (its words, or another region's,
   * may have changed). Frames beyond the map count as code.
   */
  private readonly codeFrames: Uint8Array;
  readonly imports: Record<string, (...args: number[]) => number>;
  /** Call-outs made (loads, stores): what the inline check did not serve. */
  loadCalls = 0;
  storeCalls = 0;

  constructor(
    private readonly mmu: Translator,
    private readonly mem: GuestMemory,
    private readonly state: Int32Array,
    private readonly loadValue: number,
  ) {
    // Tier 1 never runs while Cpu.observeMemory is on (the debugger's recorder uses tier 0).
    this.ram = new RamView(mem);
    this.codeFrames = new Uint8Array(Math.min(mem.size, MAX_MAPPED_RAM) / PAGE_SIZE);
    this.imports = {
      load: (lo, hi, id) => this.load(lo!, hi!, id!),
      store: (lo, hi, id, vlo, vhi) => this.store(lo!, hi!, id!, vlo!, vhi!),
    };
  }

  /** Loads for table id `id` at hi:lo into LOAD_VALUE; STATUS_TRAP on a fault. */
  load(lo: number, hi: number, id: number): number {
    this.loadCalls++;
    const size = id === LB || id === LBU ? 1 : id === LH || id === LHU ? 2 : id === LD ? 8 : 4;
    let vlo: number;
    if ((lo & 0xfff) <= PAGE_SIZE - size) {
      const pa = this.mmu.tryTranslate(lo, hi, Access.Read);
      if (pa === TRAP_PENDING) return STATUS_TRAP;
      vlo = pageLoad(this.ram, this.mem, pa, size);
    } else {
      try {
        vlo = crossLoad(this.ram, this.mmu, this.mem, lo, hi, size);
      } catch (err) {
        if (err !== TRAP_SENTINEL) throw err;
        return STATUS_TRAP;
      }
    }
    let vhi = this.ram.loadHi;
    switch (id) {
      case LB: vlo = (vlo << 24) >> 24; vhi = vlo >> 31; break;
      case LH: vlo = (vlo << 16) >> 16; vhi = vlo >> 31; break;
      case LW: vhi = vlo >> 31; break;
      case LD: break;
      default: vhi = 0; break;
    }
    const i = this.loadValue >> 2;
    this.state[i] = vlo;
    this.state[i + 1] = vhi;
    return STATUS_OK;
  }

  /** Marks or unmarks the frame at physical address `page` as holding compiled code. */
  setCodeFrame(page: number, on: boolean): void {
    const frame = page / PAGE_SIZE;
    if (frame < this.codeFrames.length) this.codeFrames[frame] = on ? 1 : 0;
  }

  /** Stores for table id `id`; STATUS_TRAP on a fault (nothing written), STATUS_CODE_WRITTEN when it hit a frame holding compiled code. */
  store(lo: number, hi: number, id: number, vlo: number, vhi: number): number {
    this.storeCalls++;
    const size = id === SB ? 1 : id === SH ? 2 : id === SW ? 4 : 8;
    if ((lo & 0xfff) <= PAGE_SIZE - size) {
      const pa = this.mmu.tryTranslate(lo, hi, Access.Write);
      if (pa === TRAP_PENDING) return STATUS_TRAP;
      pageStore(this.ram, this.mem, pa, size, vlo, vhi);
      const frame = (pa - (pa & 0xfff)) / PAGE_SIZE;
      return frame >= this.codeFrames.length || this.codeFrames[frame] !== 0 ? STATUS_CODE_WRITTEN : STATUS_OK;
    }
    try {
      crossStore(this.mmu, this.mem, lo, hi, size, vlo, vhi);
    } catch (err) {
      if (err !== TRAP_SENTINEL) throw err;
      return STATUS_TRAP;
    }
    // Rare: crossStore does not say which frames it wrote, and asking the MMU again would touch
    // the TLB, so the region ends after every crossing store (always safe: it just exits).
    return STATUS_CODE_WRITTEN;
  }
}
