// The run loop's fetch side: the one-page fetch cache, its refill, and the
// checks a jump makes on its target (cpu.ts's file comment says why the
// cache stays valid for a whole run and how it outlives one).
//
// The run loop keeps the current page's words, predecoded entries and base
// index in locals; it calls refill() only when pc leaves the page, and keep()
// / forget() once at the end of a run. Nothing here runs per instruction.
import type { GuestMemory } from '../mem/phys';
import { Access, TRAP_PENDING, Vector } from '../trap';
import type { TrapRecord } from '../trap';
import type { Translator } from './access';
import { DecodeCache, DecodedPage, PAGE_WORDS } from './decode';

/** Fetch index meaning "pc is the jump target held in (tgtLo, tgtHi), off the cached page". */
export const LEFT_PAGE = PAGE_WORDS + 1;

/** What a fetch beyond the end of RAM reads: all-ones words, which are illegal (#UD). */
export const BEYOND_RAM = new Int32Array(PAGE_WORDS).fill(-1);
/** The fetch cache's page before the first refill of a run (never executed from). */
export const NO_PAGE = new DecodedPage();

/** The fetch page of one CPU, and the one its last run ended on. */
export class FetchCache {
  private readonly decoded = new DecodeCache();
  /**
   * The fetch page a run ended on, kept for the next run while the ITLB
   * entry it came from is (mmu.itlbEpoch unchanged): run boundaries (a
   * stepping debugger, slices, pauses) then cost no ITLB lookups a single
   * long run would not make. fcEpoch -1: nothing kept.
   */
  private fcEpoch = -1;
  private fcPageLo = 0;
  private fcPageHi = 0;
  private fcPage: DecodedPage = NO_PAGE;
  private fcCode: Int32Array<ArrayBuffer> = BEYOND_RAM;
  private fcBase = 0;
  /** Physical address of the kept page (tier 1 finds its regions by it). */
  private fcPa = 0;
  /** Set at run entry: the run's first refill may take the kept page. */
  first = false;
  /** refill()'s results. */
  rfCode: Int32Array<ArrayBuffer> = BEYOND_RAM;
  rfBase = 0;
  rfPage: DecodedPage = NO_PAGE;
  /** Physical address of refill()'s page. */
  rfPa = 0;

  constructor(
    private readonly mmu: Translator,
    private readonly mem: GuestMemory,
  ) {}

  /**
   * The fetch cache's refill for the page holding hi:lo: rfCode/rfBase/rfPage
   * get its words and predecoded entries; false on a fetch fault (the trap
   * recorded). A run's first refill takes the page the last run ended on when
   * its ITLB entry is still there (fcEpoch): no lookup, as if that run had gone on.
   */
  refill(lo: number, hi: number): boolean {
    if (this.first) {
      this.first = false;
      if (this.fcEpoch >= 0 && this.fcEpoch === this.mmu.itlbEpoch && (lo & ~0xfff) === this.fcPageLo && hi === this.fcPageHi) {
        this.rfCode = this.fcCode;
        this.rfBase = this.fcBase;
        this.rfPage = this.fcPage;
        this.rfPa = this.fcPa;
        return true;
      }
    }
    const pa = this.mmu.tryTranslate(lo, hi, Access.Fetch);
    if (pa === TRAP_PENDING) return false;
    this.load(pa);
    return true;
  }

  /** refill()'s results for the page holding physical address pa, translated already. */
  private load(pa: number): void {
    const chunk = this.mem.chunkI32(pa);
    if (chunk === null) {
      this.rfCode = BEYOND_RAM;
      this.rfBase = 0;
    } else {
      this.rfCode = chunk;
      this.rfBase = (this.mem.chunkOffset(pa) & ~0xfff) >> 2;
    }
    this.rfPage = this.decoded.page(pa);
    this.rfPa = pa - (pa & 0xfff);
  }

  /**
   * Tier 1's chained regions: compiled code made the fetch translation of the
   * page pageHi:pageLo (a micro-cache hit, counted in the ITLB) and ran there;
   * keep that page, frame pa, as a run that ended there would have kept it.
   */
  adopt(pageLo: number, pageHi: number, pa: number): void {
    this.load(pa);
    this.keep(pageLo, pageHi, this.rfPage, this.rfCode, this.rfBase);
  }

  /** Keeps the page a run ended on (page hi:lo, its words at code[base..]) for the next run. */
  keep(pageLo: number, pageHi: number, page: DecodedPage, code: Int32Array<ArrayBuffer>, base: number): void {
    // Inside a run only a fetch refill can change the ITLB (a fault ends the run as a trap), so the
    // epoch now is the one the current fetch page was translated under.
    this.fcEpoch = this.mmu.itlbEpoch;
    this.fcPageLo = pageLo;
    this.fcPageHi = pageHi;
    this.fcPage = page;
    this.fcCode = code;
    this.fcBase = base;
    this.fcPa = this.rfPa;
  }

  /**
   * Tier 1's entry to the fetch cache (emu/machine/jit/tier1.ts): the physical
   * address of the page holding hi:lo, found as the next run()'s first refill
   * would find it (the kept page while its ITLB entry is untouched, else an
   * ITLB lookup), then kept as if a run had executed up to there; on a fetch
   * fault TRAP_PENDING, with the trap recorded and the page forgotten as run()
   * forgets it. So a compiled region entered here makes exactly the ITLB
   * lookups the interpreter makes.
   */
  enter(lo: number, hi: number): number {
    this.first = true;
    if (!this.refill(lo, hi)) {
      this.forget();
      return TRAP_PENDING;
    }
    this.keep(lo & ~0xfff, hi, this.rfPage, this.rfCode, this.rfBase);
    return this.rfPa;
  }

  /** Nothing kept for the next run; the fields go back to their initial values, so that how a run ended leaves no trace. */
  forget(): void {
    this.fcEpoch = -1;
    this.fcPageLo = 0;
    this.fcPageHi = 0;
    this.fcPage = NO_PAGE;
    this.fcCode = BEYOND_RAM;
    this.fcBase = 0;
    this.fcPa = 0;
  }
}

/** A jump target must be 4-byte aligned (else Vector.AC) and canonical (else #GP(0)), checked on the jump (cpu.ts's file comment). */
export function checkTarget(mmu: Translator, lo: number, hi: number): void {
  if ((lo & 3) !== 0) mmu.trap.raise(Vector.AC, 0, lo, hi);
  if (!mmu.canonical(hi)) mmu.trap.raise(Vector.GP, 0, lo, hi);
}

/** pc set (by the kernel or debugger) to an address that is not 4-aligned: Vector.AC there, as for a jump. */
export function misalignedPc(trap: TrapRecord, lo: number, hi: number): void {
  trap.record(Vector.AC, 0, lo, hi);
}
