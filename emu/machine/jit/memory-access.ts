// Tier 1's loads and stores: the code regions emit for them and the host
// functions that code calls. Everything that knows how a compiled access
// reaches guest memory is in this file, so that inline TLB checks against
// the arena (docs/jit.md) replace it without touching the translator.
//
// Today every access calls out to JavaScript, which does what the
// interpreter does (cpu.ts, cases lb..sd): an access that stays in its page
// goes through mmu.tryTranslate (micro-cache, TLB, walk: identical TLB
// contents, LRU stamps and statistics) and the direct RAM view; one that
// crosses a page takes the same slow path (crossLoad/crossStore). A fault
// returns STATUS_TRAP with the CPU's TrapRecord set and nothing written, and the
// region exits AT the instruction. A store that lands in a frame holding
// compiled code (and every page-crossing store) returns STATUS_CODE_WRITTEN:
// the region exits after it, and the run loop re-checks the words of the next
// region it enters, so the next instruction is the new one (the interpreter
// re-checks every fetch).
import type { GuestMemory } from '../mem/phys';
import { Access, TRAP_PENDING, TRAP_SENTINEL } from '../trap';
import { RamView, crossLoad, crossStore, pageLoad, pageStore } from '../cpu/access';
import type { Translator } from '../cpu/access';
import { PAGE_SIZE } from '../mmu/paging';
import { OP } from '../isa/table';
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

/**
 * Emits a load: the address (i64) is in local `addr`; leaves the value, as
 * the register gets it, on the stack.
 */
export function emitLoad(b: Body, s: StateLayout, id: number, addr: number, exits: AccessExits): void {
  b.get(addr).op(Op.i32_wrap_i64);
  b.get(addr).i64(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64);
  b.i32(id).call(FN_LOAD);
  b.if();
  exits.trapExit(1);
  b.end();
  b.i32(0).mem(Op.i64_load, 3, s.loadValue);
}

/** Emits a store of local `value` (i64) at local `addr`; `status` is an i32 scratch local. */
export function emitStore(b: Body, id: number, addr: number, value: number, status: number, exits: AccessExits): void {
  b.get(addr).op(Op.i32_wrap_i64);
  b.get(addr).i64(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64);
  b.i32(id);
  b.get(value).op(Op.i32_wrap_i64);
  b.get(value).i64(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64);
  b.call(FN_STORE).tee(status);
  b.if();
  b.get(status).i32(STATUS_TRAP).op(Op.i32_eq);
  b.if();
  exits.trapExit(2);
  b.end();
  exits.afterExit(1);
  b.end();
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
