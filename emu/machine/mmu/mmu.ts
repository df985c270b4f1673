// The MMU: everything x86-64 paging depends on (SDM vol. 3, 4.1.1: CR0, CR3,
// CR4, EFER, CPL, RFLAGS.AC, PKRU), the TLBs, and translate(), the emulator's
// hot path.
//
// translate() looks first in a micro-cache: per access kind (read, write,
// fetch), direct-mapped by 4K page number, holding the physical page and the
// TLB slot it mirrors (STYLE convention 5). It is a strict subset of the
// architectural TLB: an entry is valid only while its slot's generation is
// unchanged (any invalidation or eviction of the slot kills it) and only for
// the CPU state it was checked under (the whole micro-cache is cleared on every
// CR0/CR3/CR4/EFER/CPL/AC/PKRU change). The write side is filled only from
// entries whose D flag is set. A micro-cache hit still counts as a TLB hit and
// refreshes the slot's LRU stamp. Everything else goes through translateSlow().
// In a machine the micro-cache's arrays are views into the arena (arena.ts,
// ArenaLayout.mc), where compiled code makes the same check inline; each
// entry also keeps the page's arena offset (its host offset, from
// GuestMemory.hostPage: the frame table places RAM above 1 GiB at its first
// touch; NO_HOST when the page is outside the arena or its writes are
// watched: watchWrites()).
import { MC_BITS, MC_EMPTY, NO_HOST, heapMcViews } from '../arena';
import type { Arena } from '../arena';
import type { GuestMemory } from '../mem/phys';
import { Access, TRAP_PENDING, TRAP_SENTINEL, TrapRecord, Vector } from '../trap';
import {
  CR0_PG,
  CR0_WP,
  CR3_PCID_MASK,
  CR4_LA57,
  CR4_PAE,
  CR4_PCIDE,
  CR4_PGE,
  CR4_SMAP,
  CR4_SMEP,
  PAGE_SIZE,
} from './paging';
import { PERM_D, PERM_G, checkRights } from './rights';
import { DEFAULT_TLB_CONFIG, FlushCause, STAT_DROPPED, STAT_EVICTIONS, STAT_FLUSH, STAT_PT_READS, STAT_WALKS, Tlb } from './tlb';
import type { TlbConfig, TlbEntry, TlbStats } from './tlb';
import { WALK_OK, WalkMode, WalkResult, walk } from './walk';
import type { WalkState } from './walk';
import { probeWalk } from './probe';
import type { ProbeResult } from './probe';

const MC_SIZE = 1 << MC_BITS;
const MC_MASK = MC_SIZE - 1;
const PAGE_MASK_LO = ~0xfff;

/** CR4 bits whose change flushes the whole TLB (FORMAT.md; SDM 4.10.4.1 lists PGE and PCIDE 1->0, SMEP 0->1 flushes the current PCID). */
const CR4_FLUSH_BITS = CR4_PGE | CR4_PCIDE | CR4_SMEP | CR4_SMAP | CR4_PAE | CR4_LA57;
/** CR0 bits whose change flushes the whole TLB (PG per SDM 4.10.4.1; WP per FORMAT.md). */
const CR0_FLUSH_BITS = CR0_PG | CR0_WP;

/** The operations that invalidate TLB entries, as a TlbObserver is told of them. */
export const TlbOp = { Cr3: 0, Invlpg: 1, Invpcid: 2, Cr0: 3, Cr4: 4, PageFault: 5 } as const;
export type TlbOp = (typeof TlbOp)[keyof typeof TlbOp];
/** When a TlbObserver is called: before the operation (the TLB as it was) or after it. */
export const TlbPhase = { Before: 0, After: 1 } as const;
export type TlbPhase = (typeof TlbPhase)[keyof typeof TlbPhase];

/**
 * Told of each operation that may drop TLB entries, once before and once
 * after it (Mmu.tlbObserver). Operands, all numbers (nothing is allocated to
 * call it): Cr3: pcid = the new PCID, flags = 1 for NOFLUSH (source bit 63);
 * Invlpg: lo/hi = the address, pcid = the current PCID; Invpcid: lo/hi, pcid,
 * flags = the type; Cr0/Cr4 (only when a bit that flushes changes): none;
 * PageFault: lo/hi = the faulting address, pcid = the current PCID, flags =
 * the error code.
 * The observer reads the rest (cr3, cr0, cr4, the TLBs' gen arrays) from the MMU.
 */
export type TlbObserver = (op: TlbOp, phase: TlbPhase, lo: number, hi: number, pcid: number, flags: number) => void;

export class Mmu implements WalkState {
  readonly mem: GuestMemory;
  /** Where faults are recorded: the CPU's trap record (Cpu.trap is this object). */
  readonly trap: TrapRecord;
  /** Physical-address width; entry bits 51:maxPhyAddr are reserved. */
  maxPhyAddr: number;
  readonly itlb: Tlb;
  readonly dtlb: Tlb;
  /** CR2: the linear address of the last #PF. */
  cr2Lo = 0;
  cr2Hi = 0;
  /** The second page's physical address from the last translateCrossing(). */
  crossPa = 0;
  /** Bumped whenever a cached fetch / data translation may have changed. */
  fetchEpoch = 0;
  dataEpoch = 0;
  /**
   * Bumped whenever an ITLB entry may have gone or changed meaning: ITLB
   * evictions, flushes and drops, page faults, CR/CPL/AC/PKRU changes; never
   * by the DTLB alone. The CPU keeps its fetch page across run() calls while
   * this is unchanged, so where a run starts or ends is invisible to the ITLB.
   * Stays -1 (never valid) without an ITLB.
   */
  itlbEpoch = 0;

  private _cr0 = 0;
  private _cr3 = 0;
  private _cr4 = 0;
  private _efer = 0;
  private _cpl: 0 | 3 = 0;
  private _ac: 0 | 1 = 0;
  private _pkru = 0;
  private pcid = 0;

  private readonly mcTagLo: Int32Array;
  private readonly mcTagHi: Int32Array;
  private readonly mcSlot: Int32Array;
  private readonly mcGen: Int32Array;
  private readonly mcHost: Int32Array;
  private readonly mcPa: Float64Array;
  /** Whether the micro-cache keeps host offsets (an arena: GuestMemory.hostPage gives them). */
  private readonly hosted: boolean;
  /** Frames whose stores compiled code must not make inline (watchWrites), as a set of frame numbers; null: none. */
  private watched: Set<number> | null = null;
  /** Scratch for walks made by translate(). */
  private readonly w = new WalkResult();
  /**
   * Observer of invalidations (the browser lab's per-step TLB log), or null:
   * one test per CR0/CR3/CR4 write, INVLPG, INVPCID and page fault, nothing
   * on translation. A function, so that a recorder's snapshot keeps it by
   * reference (record/graph.ts enters objects, not functions).
   */
  tlbObserver: TlbObserver | null = null;

  /**
   * `arena`: the machine's arena, whose views hold the micro-cache and the
   * TLBs' fast-path state (its layout must be for this TLB configuration);
   * without one they live on the JS heap.
   */
  constructor(mem: GuestMemory, tlb: TlbConfig | 'none' = DEFAULT_TLB_CONFIG, trap: TrapRecord = new TrapRecord(), arena: Arena | null = null) {
    this.mem = mem;
    this.trap = trap;
    this.maxPhyAddr = 'maxPhyAddr' in mem && typeof mem.maxPhyAddr === 'number' ? mem.maxPhyAddr : 46;
    const cfg = tlb === 'none' ? null : tlb;
    this.itlb = new Tlb('ITLB', cfg === null ? null : cfg.itlb, cfg?.replacement, arena?.itlb);
    this.dtlb = new Tlb('DTLB', cfg === null ? null : cfg.dtlb, cfg?.replacement, arena?.dtlb);
    const mc = arena === null ? heapMcViews() : arena.mc;
    this.mcTagLo = mc.tagLo;
    this.mcTagHi = mc.tagHi;
    this.mcSlot = mc.slot;
    this.mcGen = mc.gen;
    this.mcHost = mc.host;
    this.mcPa = mc.pa;
    this.hosted = arena !== null;
    if (!this.itlb.enabled) this.itlbEpoch = -1;
  }

  // Control state. Assigning a field behaves as the matching write*/set* method.
  get cr0(): number {
    return this._cr0;
  }
  set cr0(v: number) {
    this.writeCr0(v);
  }
  get cr3(): number {
    return this._cr3;
  }
  set cr3(v: number) {
    this.writeCr3(v);
  }
  get cr4(): number {
    return this._cr4;
  }
  set cr4(v: number) {
    this.writeCr4(v);
  }
  get efer(): number {
    return this._efer;
  }
  set efer(v: number) {
    this._efer = v >>> 0;
    this.stateChanged();
  }
  get cpl(): 0 | 3 {
    return this._cpl;
  }
  set cpl(v: 0 | 3) {
    this.setCpl(v);
  }
  get ac(): 0 | 1 {
    return this._ac;
  }
  set ac(v: 0 | 1) {
    this.setAc(v);
  }
  get pkru(): number {
    return this._pkru;
  }
  set pkru(v: number) {
    this.setPkru(v);
  }

  /**
   * Translates an access to linear address hi:lo that does not cross a 4K
   * page; returns the physical address. Raises #GP(0) for a non-canonical
   * address and #PF (with CR2 set) for a paging fault. `implicit` marks an
   * implicit supervisor-mode access (SDM 4.6.1).
   */
  translate(lo: number, hi: number, access: Access, implicit?: boolean): number {
    const pa = this.tryTranslate(lo, hi, access, implicit);
    if (pa === TRAP_PENDING) throw TRAP_SENTINEL;
    return pa;
  }

  /**
   * translate() that reports a fault by value: the physical address, or
   * TRAP_PENDING with the trap recorded in this.trap (and CR2 for #PF).
   * The CPU's run loop uses it so that page faults cost no JavaScript throw.
   */
  tryTranslate(lo: number, hi: number, access: Access, implicit?: boolean): number {
    if (implicit !== true) {
      const i = (access << MC_BITS) | (((lo >>> 12) ^ (lo >>> 20)) & MC_MASK); // arena.ts MC_BITS
      if (this.mcTagLo[i] === (lo & PAGE_MASK_LO) && this.mcTagHi[i] === hi) {
        const tlb = access === Access.Fetch ? this.itlb : this.dtlb;
        const slot = this.mcSlot[i]!;
        if (tlb.gen[slot] === this.mcGen[i]) {
          tlb.touch(slot);
          return this.mcPa[i]! + (lo & 0xfff);
        }
      }
    }
    return this.translateSlow(lo, hi, access, implicit === true);
  }

  /**
   * translate() for an access at hi:lo that crosses into the next 4-KByte page
   * (the CPU's slow path for such loads and stores). Every byte of an access
   * must be canonical, else #GP(0) (SDM vol. 1, 3.3.7.1), and that check comes
   * before paging: an 8-byte load at 0x7ffffffffffc is #GP even when its first
   * page is not present. The canonical boundaries are page aligned, so checking
   * the first byte's and the last byte's page covers every byte. Then the pages
   * are translated in order, so that when only the second faults CR2 holds its
   * first byte. Returns the first byte's physical address; the second page's is
   * left in crossPa.
   */
  translateCrossing(lo: number, hi: number, access: Access, implicit?: boolean): number {
    const lo2 = ((lo | 0xfff) + 1) | 0;
    const hi2 = lo2 === 0 ? (hi + 1) | 0 : hi;
    if (!this.canonical(hi) || !this.canonical(hi2)) {
      this.trap.raise(Vector.GP, 0, lo, hi);
    }
    const pa = this.translate(lo, hi, access, implicit);
    this.crossPa = this.translate(lo2, hi2, access, implicit);
    return pa;
  }

  /** TLB lookup, then walk on a miss (or for a write hitting an entry with D clear); TRAP_PENDING on a fault. */
  private translateSlow(lo: number, hi: number, access: Access, implicit: boolean): number {
    if (!this.canonical(hi)) return this.trap.record(Vector.GP, 0, lo, hi);
    const tlb = access === Access.Fetch ? this.itlb : this.dtlb;
    const slot = tlb.lookup(lo, hi, this.pcid);
    if (slot >= 0) {
      const perms = tlb.perms[slot]!;
      if (access !== Access.Write || (perms & PERM_D) !== 0) {
        const denied = checkRights(this, perms, tlb.pkey[slot]!, access, implicit);
        if (denied !== 0) return this.pageFault(lo, hi, denied & 0xff, null);
        const shift = tlb.shiftOf[slot]!;
        const inPage = lo & ((1 << shift) - 1);
        if (!implicit) this.mcFill(lo, hi, access, tlb, slot, tlb.pa[slot]! + (inPage & PAGE_MASK_LO));
        return tlb.pa[slot]! + inPage;
      }
    }
    const w = this.w;
    tlb.counters[STAT_WALKS]!++;
    const r = walk(this, w, lo, hi, access, implicit, WalkMode.Translate);
    tlb.counters[STAT_PT_READS]! += w.ptReads;
    if (r !== WALK_OK) return this.pageFault(lo, hi, r, slot < 0 ? tlb : null);
    const inPage = lo & ((1 << w.shift) - 1);
    const perms = (this._cr4 & CR4_PGE) !== 0 ? w.perms : w.perms & ~PERM_G;
    const killed = tlb.counters[STAT_EVICTIONS]! + tlb.counters[STAT_DROPPED]!;
    const filled = tlb.fill(lo, hi, this.pcid, w.shift, w.pageBase, perms, w.pkey, slot >= 0);
    if (filled >= 0) {
      if (tlb.counters[STAT_EVICTIONS]! + tlb.counters[STAT_DROPPED]! !== killed) this.epochs(tlb);
      if (!implicit) this.mcFill(lo, hi, access, tlb, filled, w.pageBase + (inPage & PAGE_MASK_LO));
    }
    return w.pageBase + inPage;
  }

  private mcFill(lo: number, hi: number, access: Access, tlb: Tlb, slot: number, page: number): void {
    if (access === Access.Write && (tlb.perms[slot]! & PERM_D) === 0) return;
    const i = (access << MC_BITS) | (((lo >>> 12) ^ (lo >>> 20)) & MC_MASK); // arena.ts MC_BITS
    this.mcTagLo[i] = lo & PAGE_MASK_LO;
    this.mcTagHi[i] = hi;
    this.mcSlot[i] = slot;
    this.mcGen[i] = tlb.gen[slot]!;
    this.mcPa[i] = page;
    this.mcHost[i] = this.hosted && (access !== Access.Write || !this.isWatched(page)) ? this.mem.hostPage(page) : NO_HOST;
  }

  private isWatched(page: number): boolean {
    return this.watched !== null && this.watched.has(page / PAGE_SIZE);
  }

  /**
   * Stores to the 4K frame holding physical address `pa` must not be made
   * inline by compiled code (tier 1 watches the frames it compiled code from):
   * write-side micro-cache entries for it get host offset NO_HOST, now and
   * when filled later. The interpreter and the TLB are unaffected.
   */
  watchWrites(pa: number): void {
    const frame = Math.floor(pa / PAGE_SIZE);
    (this.watched ??= new Set()).add(frame);
    const w = Access.Write << MC_BITS;
    for (let i = w; i < w + MC_SIZE; i++) if (this.mcPa[i] === frame * PAGE_SIZE) this.mcHost[i] = NO_HOST;
  }

  /** Ends watchWrites(pa): entries filled from now on may store inline again. */
  unwatchWrites(pa: number): void {
    this.watched?.delete(Math.floor(pa / PAGE_SIZE));
  }

  /**
   * Raises #PF: the fault drops every TLB entry for the page (SDM 4.10.4.1,
   * "page faults invalidate entries"); CR2 gets the address (4.7). `missed`
   * is a TLB whose lookup for this page just missed: it holds no entry to
   * drop, so only the flush is counted there (the common not-present fault).
   */
  private pageFault(lo: number, hi: number, error: number, missed: Tlb | null): number {
    const obs = this.tlbObserver;
    if (obs === null) this.faultDrop(lo, hi, missed);
    else {
      obs(TlbOp.PageFault, TlbPhase.Before, lo, hi, this.pcid, error);
      this.faultDrop(lo, hi, missed);
      obs(TlbOp.PageFault, TlbPhase.After, lo, hi, this.pcid, error);
    }
    this.cr2Lo = lo;
    this.cr2Hi = hi;
    return this.trap.record(Vector.PF, error, lo, hi);
  }

  /** pageFault()'s invalidation: the page's entries of the current PCID and global ones, in both TLBs. */
  private faultDrop(lo: number, hi: number, missed: Tlb | null): void {
    if (missed === this.itlb) this.itlb.counters[STAT_FLUSH + FlushCause.Fault]!++;
    else this.itlb.drop(lo, hi, this.pcid, true, FlushCause.Fault);
    if (missed === this.dtlb) this.dtlb.counters[STAT_FLUSH + FlushCause.Fault]!++;
    else this.dtlb.drop(lo, hi, this.pcid, true, FlushCause.Fault);
    this.epochs();
  }

  /** Bits 63:47 (4-level) or 63:56 (5-level) equal (SDM vol. 1, 3.3.7.1; vol. 3, 4.5). */
  canonical(hi: number): boolean {
    return (this._cr4 & CR4_LA57) !== 0 ? (hi << 7) >> 7 === hi : (hi << 16) >> 16 === hi;
  }

  /** MOV to CR0: changing PG or WP flushes every TLB entry, globals too. */
  writeCr0(v: number): void {
    v >>>= 0;
    const obs = ((v ^ this._cr0) & CR0_FLUSH_BITS) !== 0 ? this.tlbObserver : null;
    obs?.(TlbOp.Cr0, TlbPhase.Before, 0, 0, 0, 0);
    if (((v ^ this._cr0) & CR0_FLUSH_BITS) !== 0) this.flushAll(true, FlushCause.Cr0);
    this._cr0 = v;
    this.stateChanged();
    obs?.(TlbOp.Cr0, TlbPhase.After, 0, 0, 0, 0);
  }

  /**
   * MOV to CR3 (SDM 4.10.4.1): v holds bits 51:0. With CR4.PCIDE=0 the
   * non-global entries are flushed (all are PCID 000H); with PCIDE=1 the
   * non-global entries of the new PCID, unless `noFlush` (source bit 63).
   */
  writeCr3(v: number, noFlush?: boolean): void {
    const obs = this.tlbObserver;
    const pcide = (this._cr4 & CR4_PCIDE) !== 0;
    const pcid = pcide ? (v % 2 ** 52) & CR3_PCID_MASK : 0;
    obs?.(TlbOp.Cr3, TlbPhase.Before, 0, 0, pcid, noFlush === true ? 1 : 0);
    this._cr3 = v % 2 ** 52;
    this.pcid = pcid;
    if (!pcide) this.flushAll(false, FlushCause.Cr3);
    else if (noFlush !== true) this.flushPcid(this.pcid, FlushCause.Cr3);
    this.stateChanged();
    obs?.(TlbOp.Cr3, TlbPhase.After, 0, 0, pcid, noFlush === true ? 1 : 0);
  }

  /** MOV to CR4: changing PGE, PCIDE, SMEP, SMAP (FORMAT.md), PAE or LA57 flushes everything. */
  writeCr4(v: number): void {
    v >>>= 0;
    const obs = ((v ^ this._cr4) & CR4_FLUSH_BITS) !== 0 ? this.tlbObserver : null;
    obs?.(TlbOp.Cr4, TlbPhase.Before, 0, 0, 0, 0);
    if (((v ^ this._cr4) & CR4_FLUSH_BITS) !== 0) this.flushAll(true, FlushCause.Cr4);
    this._cr4 = v;
    this.pcid = (v & CR4_PCIDE) !== 0 ? this._cr3 & CR3_PCID_MASK : 0;
    this.stateChanged();
    obs?.(TlbOp.Cr4, TlbPhase.After, 0, 0, 0, 0);
  }

  setCpl(cpl: 0 | 3): void {
    if (cpl === this._cpl) return;
    this._cpl = cpl;
    this.stateChanged();
  }

  setAc(ac: 0 | 1): void {
    if (ac === this._ac) return;
    this._ac = ac;
    this.stateChanged();
  }

  setPkru(v: number): void {
    if (v >>> 0 === this._pkru) return;
    this._pkru = v >>> 0;
    this.stateChanged();
  }

  /** INVLPG (SDM 4.10.4.1): drops the entries of the page holding hi:lo for the current PCID, and global ones. */
  invlpg(lo: number, hi: number): void {
    const obs = this.tlbObserver;
    obs?.(TlbOp.Invlpg, TlbPhase.Before, lo, hi, this.pcid, 0);
    this.itlb.drop(lo, hi, this.pcid, true, FlushCause.Invlpg);
    this.dtlb.drop(lo, hi, this.pcid, true, FlushCause.Invlpg);
    this.epochs();
    obs?.(TlbOp.Invlpg, TlbPhase.After, lo, hi, this.pcid, 0);
  }

  /**
   * INVPCID (SDM vol. 2, INVPCID): 0 = one address in `pcid` (not globals),
   * 1 = all of `pcid` (not globals), 2 = everything, 3 = everything but globals.
   */
  invpcid(type: 0 | 1 | 2 | 3, pcid: number, lo: number, hi: number): void {
    pcid &= CR3_PCID_MASK;
    const obs = this.tlbObserver;
    obs?.(TlbOp.Invpcid, TlbPhase.Before, lo, hi, pcid, type);
    if (type === 0) {
      this.itlb.drop(lo, hi, pcid, false, FlushCause.Invpcid);
      this.dtlb.drop(lo, hi, pcid, false, FlushCause.Invpcid);
    } else if (type === 1) {
      this.itlb.flush(false, pcid, FlushCause.Invpcid);
      this.dtlb.flush(false, pcid, FlushCause.Invpcid);
    } else {
      this.flushAll(type === 2, FlushCause.Invpcid);
    }
    this.epochs();
    obs?.(TlbOp.Invpcid, TlbPhase.After, lo, hi, pcid, type);
  }

  /** The current PCID (CR3[11:0] with CR4.PCIDE=1, else 0). */
  get currentPcid(): number {
    return this.pcid;
  }

  /**
   * What an access would do, level by level, without side effects: no A/D
   * update, no TLB fill, no statistics. Uses the MMU's current state except
   * the CPL, which is given. The TLB is not consulted: this is the walk.
   */
  probe(lo: number, hi: number, access: Access, cpl: 0 | 3, implicit = false): ProbeResult {
    return probeWalk(this, lo, hi, access, cpl, implicit);
  }

  stats(): { itlb: TlbStats; dtlb: TlbStats } {
    return { itlb: this.itlb.stats(), dtlb: this.dtlb.stats() };
  }

  entries(): TlbEntry[] {
    return [...this.itlb.entries(), ...this.dtlb.entries()];
  }

  private flushAll(withGlobal: boolean, cause: FlushCause): void {
    this.itlb.flush(withGlobal, -1, cause);
    this.dtlb.flush(withGlobal, -1, cause);
  }

  private flushPcid(pcid: number, cause: FlushCause): void {
    this.itlb.flush(false, pcid, cause);
    this.dtlb.flush(false, pcid, cause);
  }

  /** `only`: the one TLB that changed (a DTLB eviction leaves the ITLB's entries valid). */
  private epochs(only: Tlb | null = null): void {
    this.fetchEpoch++;
    this.dataEpoch++;
    if (only !== this.dtlb && this.itlbEpoch >= 0) this.itlbEpoch++;
  }

  /** A change of the state rights depend on: no micro-cache entry survives it. */
  private stateChanged(): void {
    this.mcTagLo.fill(MC_EMPTY);
    this.epochs();
  }
}
