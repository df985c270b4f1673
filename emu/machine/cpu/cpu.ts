// The RV64IM core: register file, counters and the one execute switch.
//
// The register file and pc are regs.ts's (int32 halves, STYLE 3; in a
// machine, views into its arena). Writes to x0 go to a sink slot, so x0 reads
// 0 with no test on the hot path.
//
// run(budget) is the only loop. It fetches through a one-page fetch cache
// (the current code page's physical frame and its predecoded entries,
// decode.ts) and calls mmu.translate() again only when pc leaves the page or
// a new run() starts. A run cannot change paging state (the ISA has no
// privileged instructions; CR writes, INVLPG and CPL changes happen in the
// kernel between runs), so a translation cached at run entry stays valid for
// the run, as the SDM (4.10.4) lets a TLB entry live until invalidated. That
// is why the loop does not poll mmu.fetchEpoch: inside a run it moves only on
// TLB fills (which invalidate nothing) and on faults (which end the run).
// ITLB statistics therefore count fetch-cache refills, not every fetch. The
// fetch page also outlives the run: the next run's first refill takes it back
// while mmu.itlbEpoch says its ITLB entry is untouched (FetchCache.refill in
// fetch.ts), so where runs start and end (kernel slices, a debugger stepping
// one instruction at a time, pauses) never shows in the ITLB's statistics or
// LRU state.
// step() is run(1): the debugger steps through the same switch, and the fast
// loop carries no debugging hooks (STYLE 14).
//
// Traps (STYLE 4): trap.raise() records the cause in the CPU's TrapRecord
// (Cpu.trap, shared with its MMU) and throws TRAP_SENTINEL, caught once per
// run(). Page faults are the exception to the exception: they are ordinary in
// real programs (a 64 MiB memset is 16,384 of them) and a V8 throw costs
// ~0.25 us, so in-page loads, stores and fetches use mmu.tryTranslate(), which
// records the trap and returns TRAP_PENDING, and the loop stops inline. Every
// instruction writes rd after its last memory access and moves pc last, so a
// trapping instruction has changed nothing and the
// kernel can resume at the same pc. Which stops leave pc where:
// - ecall (Stop.Ecall): pc AT the ecall; the kernel services the call and
//   advances pc by 4 (xv6's usertrap: `p->trapframe->epc += 4`).
// - ebreak (#BP, vector 3): pc AT the ebreak, as RISC-V's breakpoint
//   exception reports it (x86's INT3 would report the next instruction).
// - illegal word (#UD, 6), #PF (14) and #GP (13): pc at the faulting instruction.
// - jumps: there is no C extension, so a jump or taken branch whose target is
//   not 4-byte aligned raises Vector.AC ON the jump, with pc at the jump and rd
//   unchanged: RISC-V's instruction-address-misaligned exception, which x86
//   has no vector for. A 4-aligned target that is not canonical raises #GP(0)
//   there, as x86 does for a non-canonical JMP target (SDM vol. 2, JMP). The
//   trap's address fields hold the rejected target (CR2 is not written).
// ecall and ebreak do not retire (RISC-V privileged spec 3.3.1), nor does a
// trapping instruction; instret counts the rest.
import { heapCpuViews } from '../arena';
import type { Arena } from '../arena';
import type { GuestMemory } from '../mem/phys';
import { Access, TRAP_PENDING, TRAP_SENTINEL, Vector } from '../trap';
import type { TrapRecord } from '../trap';
import { RamView, crossLoad, crossStore, pageLoad, pageStore } from './access';
import type { Translator } from './access';
import { PAGE_WORDS } from './decode';
import { RegisterFile } from './regs';
import { BEYOND_RAM, FetchCache, LEFT_PAGE, NO_PAGE, checkTarget, misalignedPc } from './fetch';
import {
  TWO32, add64, div64, divu64, divuw, divw, lt64, ltu64, mul64, mulh64, mulhsu64, mulhu64, rem64, remu64, remuw,
  remw, sll64, sra64, srl64, sub64,
} from './int64';
import { PAGE_SIZE } from '../mmu/paging';

/** Why run() returned. Leave room: the debugger adds breakpoint/watchpoint reasons. */
export const Stop = {
  /** The instruction budget is spent. */
  Budget: 0,
  /** An ecall: a system call for the kernel; pc is at the ecall. */
  Ecall: 1,
  /** An exception: vector, error code and address in Cpu.trap; pc at the instruction. */
  Trap: 2,
} as const;
export type Stop = (typeof Stop)[keyof typeof Stop];

/** rdtime's clock: 1 tick per 100 retired instructions, a 10 MHz timer for a 1 GHz, 1-IPC guest. */
export const INSNS_PER_TIME_TICK = 100;

export class Cpu extends RegisterFile {
  /** Retired instructions (exact below 2^53). */
  instret = 0;
  private readonly fetch: FetchCache;
  /**
   * The cause of the last Stop.Trap (this CPU's own: the MMU records its
   * #PF and #GP here too, Mmu.trap is the same object).
   */
  readonly trap: TrapRecord;
  private ram: RamView;
  private readonly directRam: RamView;
  /** A RamView covering nothing: every data access takes the GuestMemory methods. */
  private readonly methodRam = new RamView(null);

  /** `arena`: the machine's arena, holding the register file and pc; without one they live on the JS heap. */
  constructor(
    readonly mmu: Translator,
    readonly mem: GuestMemory,
    arena: Arena | null = null,
  ) {
    super(arena === null ? heapCpuViews() : arena.cpu);
    this.trap = mmu.trap;
    this.directRam = new RamView(mem);
    this.ram = this.directRam;
    this.fetch = new FetchCache(mmu, mem);
  }

  /**
   * With `on`, loads and stores go through the GuestMemory methods instead of
   * the direct views of RAM, so PhysMem.writeObserver sees every store (the
   * debugger's recorder). Slower; off by default. Takes effect at the next run().
   */
  observeMemory(on: boolean): void {
    this.ram = on ? this.methodRam : this.directRam;
  }

  /**
   * Tier 1's entry (emu/machine/jit/tier1.ts): the physical address of the
   * page holding hi:lo, with exactly the ITLB lookups the next run() would
   * make (FetchCache.enter); TRAP_PENDING on a fetch fault.
   */
  fetchPage(lo: number, hi: number): number {
    return this.fetch.enter(lo, hi);
  }

  /** Keeps page pageHi:pageLo at frame pa as the fetch page (tier 1's chained regions fetched there: FetchCache.adopt). */
  adoptFetchPage(pageLo: number, pageHi: number, pa: number): void {
    this.fetch.adopt(pageLo, pageHi, pa);
  }

  /** Nothing kept for the next run (tier 1's regions stop on traps too, as run() does). */
  forgetFetchPage(): void {
    this.fetch.forget();
  }

  /** Executes exactly one instruction (or stops before it on a trap). */
  step(): Stop {
    return this.run(1);
  }

  /** Executes up to `budget` instructions; see the file comment for stops and traps. */
  run(budget: number): Stop {
    if ((this.pcLo & 3) !== 0 && budget > 0) {
      misalignedPc(this.trap, this.pcLo, this.pcHi);
      return Stop.Trap;
    }
    const x = this.x;
    const fetch = this.fetch;
    const mem = this.mem;
    const mmu = this.mmu;
    const ram = this.ram;
    const trap = this.trap;
    let n = 0; // instructions retired by this run
    let stop: Stop = Stop.Budget;
    // pc = pageHi:pageLo + 4 * idx; idx == PAGE_WORDS means the next page in
    // sequence, idx == LEFT_PAGE means (tgtLo, tgtHi). Both refill the cache.
    let pageLo = 0, pageHi = 0, idx: number = LEFT_PAGE;
    let tgtLo = this.pcLo, tgtHi = this.pcHi;
    let page = NO_PAGE;
    let code = BEYOND_RAM, base = 0;
    fetch.first = true; // the first refill of this run may take the page the last run ended on
    let words = page.words, ops = page.ops, imms = page.imms;
    try {
      loop: for (;;) {
        if (n >= budget) break;
        if (idx >= PAGE_WORDS) {
          if (idx === PAGE_WORDS) {
            pageLo = (pageLo + PAGE_SIZE) | 0;
            if (pageLo === 0) pageHi = (pageHi + 1) | 0;
            idx = 0;
          } else {
            pageLo = tgtLo & ~0xfff;
            pageHi = tgtHi;
            idx = (tgtLo & 0xfff) >>> 2;
          }
          if (!fetch.refill(pageLo | (idx << 2), pageHi)) {
            stop = Stop.Trap;
            break loop;
          }
          code = fetch.rfCode;
          base = fetch.rfBase;
          page = fetch.rfPage;
          words = page.words;
          ops = page.ops;
          imms = page.imms;
        }
        const w = code[base + idx]!;
        let e = ops[idx]!;
        if (w !== words[idx]) e = page.fill(idx, w);
        const imm = imms[idx]!;
        const d = (e >>> 8) & 0xff;
        const a = (e >>> 16) & 0xff;
        const b = e >>> 24;
        // Case labels are the instruction ids of isa/table.ts, written as
        // literals so V8 compiles a jump table; a test ("the execute switch",
        // tests/emu/machine/cpu/traps.test.ts) checks each against OP[mnemonic].
        switch (e & 0xff) {
          case 0: // lui
            x[d] = imm;
            x[d + 1] = imm >> 31;
            idx++;
            break;
          case 1: // auipc
            add64(x, d, pageLo | (idx << 2), pageHi, imm, imm >> 31);
            idx++;
            break;
          case 2: { // jal
            const t = (idx << 2) + imm;
            if ((t & ~0xffc) === 0) {
              add64(x, d, pageLo | (idx << 2), pageHi, 4, 0);
              idx = t >> 2;
            } else {
              const lo = ((pageLo | (idx << 2)) + imm) | 0;
              const hi = (pageHi + (imm >> 31) + (lo >>> 0 < (pageLo | (idx << 2)) >>> 0 ? 1 : 0)) | 0;
              checkTarget(mmu, lo, hi);
              add64(x, d, pageLo | (idx << 2), pageHi, 4, 0);
              tgtLo = lo;
              tgtHi = hi;
              idx = LEFT_PAGE;
            }
            break;
          }
          case 3: { // jalr: target = (rs1 + imm) & ~1, computed before rd is written
            const alo = x[a]!;
            const lo = ((alo + imm) | 0) & ~1;
            const hi = (x[a + 1]! + (imm >> 31) + (((alo + imm) | 0) >>> 0 < alo >>> 0 ? 1 : 0)) | 0;
            if (hi === pageHi && (lo & ~0xffc) === pageLo) {
              add64(x, d, pageLo | (idx << 2), pageHi, 4, 0);
              idx = (lo & 0xfff) >>> 2;
            } else {
              checkTarget(mmu, lo, hi);
              add64(x, d, pageLo | (idx << 2), pageHi, 4, 0);
              tgtLo = lo;
              tgtHi = hi;
              idx = LEFT_PAGE;
            }
            break;
          }
          case 4: // beq
          case 5: // bne
          case 6: // blt
          case 7: // bge
          case 8: // bltu
          case 9: { // bgeu
            const alo = x[a]!, ahi = x[a + 1]!, blo = x[b]!, bhi = x[b + 1]!;
            let taken: boolean;
            switch (e & 0xff) {
              case 4: taken = alo === blo && ahi === bhi; break;
              case 5: taken = alo !== blo || ahi !== bhi; break;
              case 6: taken = lt64(alo, ahi, blo, bhi); break;
              case 7: taken = !lt64(alo, ahi, blo, bhi); break;
              case 8: taken = ltu64(alo, ahi, blo, bhi); break;
              default: taken = !ltu64(alo, ahi, blo, bhi); break;
            }
            if (!taken) {
              idx++;
            } else {
              const t = (idx << 2) + imm;
              if ((t & ~0xffc) === 0) {
                idx = t >> 2;
              } else {
                const lo = ((pageLo | (idx << 2)) + imm) | 0;
                const hi = (pageHi + (imm >> 31) + (lo >>> 0 < (pageLo | (idx << 2)) >>> 0 ? 1 : 0)) | 0;
                checkTarget(mmu, lo, hi);
                tgtLo = lo;
                tgtHi = hi;
                idx = LEFT_PAGE;
              }
            }
            break;
          }
          case 10: // lb
          case 11: // lh
          case 12: // lw
          case 13: // ld
          case 14: // lbu
          case 15: // lhu
          case 16: { // lwu
            const id = e & 0xff;
            const alo = x[a]!;
            const lo = (alo + imm) | 0;
            const hi = (x[a + 1]! + (imm >> 31) + (lo >>> 0 < alo >>> 0 ? 1 : 0)) | 0;
            const size = id === 10 || id === 14 ? 1 : id === 11 || id === 15 ? 2 : id === 13 ? 8 : 4;
            let vlo: number;
            if ((lo & 0xfff) <= PAGE_SIZE - size) {
              const pa = mmu.tryTranslate(lo, hi, Access.Read);
              if (pa === TRAP_PENDING) {
                stop = Stop.Trap;
                break loop;
              }
              vlo = pageLoad(ram, mem, pa, size);
            } else vlo = crossLoad(ram, mmu, mem, lo, hi, size);
            let vhi = ram.loadHi; // meaningful for ld only
            switch (id) {
              case 10: vlo = (vlo << 24) >> 24; vhi = vlo >> 31; break;
              case 11: vlo = (vlo << 16) >> 16; vhi = vlo >> 31; break;
              case 12: vhi = vlo >> 31; break;
              case 13: break; // ld: both halves as read
              default: vhi = 0; break; // lbu, lhu, lwu: zero-extended
            }
            x[d] = vlo;
            x[d + 1] = vhi;
            idx++;
            break;
          }
          case 17: // sb
          case 18: // sh
          case 19: // sw
          case 20: { // sd
            const id = e & 0xff;
            const alo = x[a]!;
            const lo = (alo + imm) | 0;
            const hi = (x[a + 1]! + (imm >> 31) + (lo >>> 0 < alo >>> 0 ? 1 : 0)) | 0;
            const size = id === 17 ? 1 : id === 18 ? 2 : id === 19 ? 4 : 8;
            if ((lo & 0xfff) <= PAGE_SIZE - size) {
              const pa = mmu.tryTranslate(lo, hi, Access.Write);
              if (pa === TRAP_PENDING) {
                stop = Stop.Trap;
                break loop;
              }
              pageStore(ram, mem, pa, size, x[b]!, x[b + 1]!);
            } else crossStore(mmu, mem, lo, hi, size, x[b]!, x[b + 1]!);
            idx++;
            break;
          }
          case 21: // addi
            add64(x, d, x[a]!, x[a + 1]!, imm, imm >> 31);
            idx++;
            break;
          case 22: // slti
            x[d] = lt64(x[a]!, x[a + 1]!, imm, imm >> 31) ? 1 : 0;
            x[d + 1] = 0;
            idx++;
            break;
          case 23: // sltiu: the immediate is sign-extended, then compared unsigned
            x[d] = ltu64(x[a]!, x[a + 1]!, imm, imm >> 31) ? 1 : 0;
            x[d + 1] = 0;
            idx++;
            break;
          case 24: // xori
            x[d] = x[a]! ^ imm;
            x[d + 1] = x[a + 1]! ^ (imm >> 31);
            idx++;
            break;
          case 25: // ori
            x[d] = x[a]! | imm;
            x[d + 1] = x[a + 1]! | (imm >> 31);
            idx++;
            break;
          case 26: // andi
            x[d] = x[a]! & imm;
            x[d + 1] = x[a + 1]! & (imm >> 31);
            idx++;
            break;
          case 27: // slli
            sll64(x, d, x[a]!, x[a + 1]!, imm);
            idx++;
            break;
          case 28: // srli
            srl64(x, d, x[a]!, x[a + 1]!, imm);
            idx++;
            break;
          case 29: // srai
            sra64(x, d, x[a]!, x[a + 1]!, imm);
            idx++;
            break;
          case 30: // add
            add64(x, d, x[a]!, x[a + 1]!, x[b]!, x[b + 1]!);
            idx++;
            break;
          case 31: // sub
            sub64(x, d, x[a]!, x[a + 1]!, x[b]!, x[b + 1]!);
            idx++;
            break;
          case 32: // sll
            sll64(x, d, x[a]!, x[a + 1]!, x[b]!);
            idx++;
            break;
          case 33: // slt
            x[d] = lt64(x[a]!, x[a + 1]!, x[b]!, x[b + 1]!) ? 1 : 0;
            x[d + 1] = 0;
            idx++;
            break;
          case 34: // sltu
            x[d] = ltu64(x[a]!, x[a + 1]!, x[b]!, x[b + 1]!) ? 1 : 0;
            x[d + 1] = 0;
            idx++;
            break;
          case 35: // xor
            x[d] = x[a]! ^ x[b]!;
            x[d + 1] = x[a + 1]! ^ x[b + 1]!;
            idx++;
            break;
          case 36: // srl
            srl64(x, d, x[a]!, x[a + 1]!, x[b]!);
            idx++;
            break;
          case 37: // sra
            sra64(x, d, x[a]!, x[a + 1]!, x[b]!);
            idx++;
            break;
          case 38: // or
            x[d] = x[a]! | x[b]!;
            x[d + 1] = x[a + 1]! | x[b + 1]!;
            idx++;
            break;
          case 39: // and
            x[d] = x[a]! & x[b]!;
            x[d + 1] = x[a + 1]! & x[b + 1]!;
            idx++;
            break;
          case 40: { // addiw
            const v = (x[a]! + imm) | 0;
            x[d] = v;
            x[d + 1] = v >> 31;
            idx++;
            break;
          }
          case 41: { // slliw
            const v = x[a]! << imm;
            x[d] = v;
            x[d + 1] = v >> 31;
            idx++;
            break;
          }
          case 42: { // srliw
            const v = (x[a]! >>> imm) | 0;
            x[d] = v;
            x[d + 1] = v >> 31;
            idx++;
            break;
          }
          case 43: { // sraiw
            const v = x[a]! >> imm;
            x[d] = v;
            x[d + 1] = v >> 31;
            idx++;
            break;
          }
          case 44: { // addw
            const v = (x[a]! + x[b]!) | 0;
            x[d] = v;
            x[d + 1] = v >> 31;
            idx++;
            break;
          }
          case 45: { // subw
            const v = (x[a]! - x[b]!) | 0;
            x[d] = v;
            x[d + 1] = v >> 31;
            idx++;
            break;
          }
          case 46: { // sllw
            const v = x[a]! << (x[b]! & 31);
            x[d] = v;
            x[d + 1] = v >> 31;
            idx++;
            break;
          }
          case 47: { // srlw
            const v = (x[a]! >>> (x[b]! & 31)) | 0;
            x[d] = v;
            x[d + 1] = v >> 31;
            idx++;
            break;
          }
          case 48: { // sraw
            const v = x[a]! >> (x[b]! & 31);
            x[d] = v;
            x[d + 1] = v >> 31;
            idx++;
            break;
          }
          case 49: // fence: one hart, no caches or devices to order
            idx++;
            break;
          case 50: // ecall
            stop = Stop.Ecall;
            break loop;
          case 51: // ebreak
            trap.raise(Vector.BP, 0, 0, 0);
            break;
          case 52: // mul
            mul64(x, d, x[a]!, x[a + 1]!, x[b]!, x[b + 1]!);
            idx++;
            break;
          case 53: // mulh
            mulh64(x, d, x[a]!, x[a + 1]!, x[b]!, x[b + 1]!);
            idx++;
            break;
          case 54: // mulhsu
            mulhsu64(x, d, x[a]!, x[a + 1]!, x[b]!, x[b + 1]!);
            idx++;
            break;
          case 55: // mulhu
            mulhu64(x, d, x[a]!, x[a + 1]!, x[b]!, x[b + 1]!);
            idx++;
            break;
          case 56: // div
            div64(x, d, x[a]!, x[a + 1]!, x[b]!, x[b + 1]!);
            idx++;
            break;
          case 57: // divu
            divu64(x, d, x[a]!, x[a + 1]!, x[b]!, x[b + 1]!);
            idx++;
            break;
          case 58: // rem
            rem64(x, d, x[a]!, x[a + 1]!, x[b]!, x[b + 1]!);
            idx++;
            break;
          case 59: // remu
            remu64(x, d, x[a]!, x[a + 1]!, x[b]!, x[b + 1]!);
            idx++;
            break;
          case 60: { // mulw
            const v = Math.imul(x[a]!, x[b]!);
            x[d] = v;
            x[d + 1] = v >> 31;
            idx++;
            break;
          }
          case 61: { // divw
            const v = divw(x[a]!, x[b]!);
            x[d] = v;
            x[d + 1] = v >> 31;
            idx++;
            break;
          }
          case 62: { // divuw
            const v = divuw(x[a]!, x[b]!);
            x[d] = v;
            x[d + 1] = v >> 31;
            idx++;
            break;
          }
          case 63: { // remw
            const v = remw(x[a]!, x[b]!);
            x[d] = v;
            x[d + 1] = v >> 31;
            idx++;
            break;
          }
          case 64: { // remuw
            const v = remuw(x[a]!, x[b]!);
            x[d] = v;
            x[d + 1] = v >> 31;
            idx++;
            break;
          }
          case 65: // rdcycle: one cycle per instruction
          case 67: { // rdinstret: instructions retired before this one
            const v = this.instret + n;
            x[d] = v | 0;
            x[d + 1] = Math.floor(v / TWO32) | 0;
            idx++;
            break;
          }
          case 66: { // rdtime
            const v = Math.floor((this.instret + n) / INSNS_PER_TIME_TICK);
            x[d] = v | 0;
            x[d + 1] = Math.floor(v / TWO32) | 0;
            idx++;
            break;
          }
          default: // no table entry matches the word
            trap.raise(Vector.UD, 0, 0, 0);
        }
        n++;
      }
    } catch (err) {
      if (err !== TRAP_SENTINEL) throw err;
      stop = Stop.Trap;
    }
    // Commit pc: idx names the instruction that stopped the run or comes next.
    if (idx === PAGE_WORDS) {
      this.pcLo = (pageLo + PAGE_SIZE) | 0;
      this.pcHi = this.pcLo === 0 ? (pageHi + 1) | 0 : pageHi;
    } else if (idx === LEFT_PAGE) {
      this.pcLo = tgtLo;
      this.pcHi = tgtHi;
    } else {
      this.pcLo = pageLo | (idx << 2);
      this.pcHi = pageHi;
    }
    this.instret += n;
    if (stop === Stop.Trap || page === NO_PAGE) fetch.forget();
    else fetch.keep(pageLo, pageHi, page, code, base);
    return stop;
  }
}
