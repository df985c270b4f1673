// Page tables in guest RAM (Linux include/linux/pgtable.h, arch/x86/mm/pgtable.c).
//
// Every table is one 4K frame from the buddy allocator (Owner.Pgtable,
// PG_pgtable, zeroed). Entries are 64-bit, kept as two 32-bit halves: the low
// word holds the flags and address bits 31:12, the high word address bits 51:32
// and NX (bit 63). Linux's names for the levels: pgd (top), p4d (folded into
// the pgd with 4-level paging: p4dOffset returns the pgd entry itself), pud,
// pmd, pte. Each *Offset takes the address of the upper entry, as Linux's take
// the upper entry pointer, and returns the address of the entry for the linear
// address, or NO_ENTRY when the upper entry is not present.
//
// Every change of an entry goes through setPte() (STYLE convention 6): it
// writes the entry and, when the old entry was present, does the invalidation
// the architecture requires (SDM 4.10.4.1 and 4.10.4.3: a not-present ->
// present change needs none). The invalidation is immediate (Flush.Now), or
// gathered in a TlbGather for a range (Linux's mmu_gather: invalidate each page
// up to tlb_single_page_flush_ceiling pages, else the whole PCID), or deferred
// for vfree's lazy purge. Gathered flushes must finish before the guest runs
// again; frames freed in between are not reused by the guest before that
// (single CPU, the kernel runs to completion), which is why pages may be freed
// before tlbFinish, unlike Linux's batched free.
import type { GuestMemory } from '../../emu/machine/mem/phys';
import { tableIndex } from '../../emu/machine/mmu/walk';
import { PTE_A, PTE_ADDR_MASK_HI, PTE_D, PTE_P, PTE_PS, PTE_RW, PTE_US } from '../../emu/machine/mmu/paging';
import { Owner, PAGE_SIZE, PG_pgtable } from './page';
import type { KernelMm } from './kernel-mm';
import type { MmStruct } from './mm-struct';
import { TWO32 } from '../../emu/machine/cpu/int64';

export const PTRS_PER_TABLE = 512;
/** Returned by the *Offset functions when an upper level is not present. */
export const NO_ENTRY = -1;
/** Linux _PAGE_TABLE: a user page-table entry (rights are decided by the leaf). */
export const PAGE_TABLE = PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D;
/** Linux _KERNPG_TABLE: a kernel page-table entry (US=0: supervisor only). */
export const KERNPG_TABLE = PTE_P | PTE_RW | PTE_A | PTE_D;

/** Linux's tlb_single_page_flush_ceiling: above this many pages a range flush flushes the whole PCID. */
export const TLB_SINGLE_PAGE_FLUSH_CEILING = 33;

/** The frame address held by an entry (bits 51:12), from its halves. */
export function entryAddr(lo: number, hi: number): number {
  return (hi & PTE_ADDR_MASK_HI) * TWO32 + ((lo & ~0xfff) >>> 0);
}

/** The pfn held by an entry. */
export function entryPfn(lo: number, hi: number): number {
  return (hi & PTE_ADDR_MASK_HI) * 1048576 + (lo >>> 12);
}

/** Low and high halves of a user or small linear address (< 2^53). */
export function vaLo(va: number): number {
  return va >>> 0;
}
export function vaHi(va: number): number {
  return Math.floor(va / TWO32) | 0;
}

/**
 * Linux pte_alloc_one()/pmd_alloc_one()...: a zeroed frame for a page table,
 * as a physical address, or -1 when memory is out.
 */
export function pgtableAlloc(kmm: KernelMm): number {
  const pfn = kmm.buddy.allocZeroedPage(Owner.Pgtable, kmm.clearPage);
  if (pfn < 0) return -1;
  kmm.memMap.setFlag(pfn, PG_pgtable);
  return pfn * PAGE_SIZE;
}

/** Linux pte_free()/pmd_free(): gives a page-table frame back. */
export function pgtableFree(kmm: KernelMm, pa: number): void {
  const pfn = pa / PAGE_SIZE;
  if (!kmm.memMap.testFlag(pfn, PG_pgtable)) throw new Error(`freeing pfn 0x${pfn.toString(16)}: not a page table`);
  kmm.memMap.clearFlag(pfn, PG_pgtable);
  kmm.buddy.freePages(pfn, 0);
}

/** Fills a 4K frame with zeroes (clear_page). */
export function zeroFrame(mem: GuestMemory, pa: number): void {
  const u8 = mem.chunkU8(pa);
  if (u8 === null) throw new Error(`zeroFrame: 0x${pa.toString(16)} beyond RAM`);
  if (mem.writeObserver !== null) mem.writeObserver(pa, PAGE_SIZE);
  const off = mem.chunkOffset(pa);
  u8.fill(0, off, off + PAGE_SIZE);
}

/** Copies one 4K frame (copy_page). */
export function copyFrame(mem: GuestMemory, dst: number, src: number): void {
  const d = mem.chunkU8(dst);
  const s = mem.chunkU8(src);
  if (d === null || s === null) throw new Error('copyFrame: beyond RAM');
  if (mem.writeObserver !== null) mem.writeObserver(dst, PAGE_SIZE);
  const so = mem.chunkOffset(src);
  d.set(s.subarray(so, so + PAGE_SIZE), mem.chunkOffset(dst));
}

/** True when all 512 entries of the table at pa are zero. */
export function tableEmpty(mem: GuestMemory, pa: number): boolean {
  const i32 = mem.chunkI32(pa)!;
  const base = mem.chunkOffset(pa) >> 2;
  for (let i = base; i < base + 1024; i++) if (i32[i] !== 0) return false;
  return true;
}

// The next table from an upper entry, or NO_ENTRY if the entry is not present
// or is a leaf (a large page: pmd_leaf/pud_leaf).
function nextTable(mem: GuestMemory, entry: number): number {
  if (entry === NO_ENTRY) return NO_ENTRY;
  const lo = mem.read32(entry);
  if ((lo & PTE_P) === 0 || (lo & PTE_PS) !== 0) return NO_ENTRY;
  return entryAddr(lo, mem.read32(entry + 4));
}

/** Linux pgd_offset(): the top-level entry for hi:lo in the table at pgd. */
export function pgdOffset(kmm: KernelMm, pgd: number, lo: number, hi: number): number {
  return pgd + tableIndex(lo, hi, kmm.levels) * 8;
}

/** Linux p4d_offset(): with 4-level paging the p4d is folded: the pgd entry itself. */
export function p4dOffset(kmm: KernelMm, pgdEntry: number, lo: number, hi: number): number {
  if (kmm.levels === 4) return pgdEntry;
  const t = nextTable(kmm.mem, pgdEntry);
  return t === NO_ENTRY ? NO_ENTRY : t + tableIndex(lo, hi, 4) * 8;
}

/** Linux pud_offset(). */
export function pudOffset(kmm: KernelMm, p4dEntry: number, lo: number, hi: number): number {
  const t = nextTable(kmm.mem, p4dEntry);
  return t === NO_ENTRY ? NO_ENTRY : t + tableIndex(lo, hi, 3) * 8;
}

/** Linux pmd_offset(). NO_ENTRY also when the pud maps a 1G page. */
export function pmdOffset(kmm: KernelMm, pudEntry: number, lo: number, hi: number): number {
  const t = nextTable(kmm.mem, pudEntry);
  return t === NO_ENTRY ? NO_ENTRY : t + tableIndex(lo, hi, 2) * 8;
}

/** Linux pte_offset_kernel(). NO_ENTRY also when the pmd maps a 2M page. */
export function pteOffset(kmm: KernelMm, pmdEntry: number, lo: number, hi: number): number {
  const t = nextTable(kmm.mem, pmdEntry);
  return t === NO_ENTRY ? NO_ENTRY : t + ((lo >>> 12) & 511) * 8;
}

/** The PTE address for hi:lo under the top-level table pgd, or NO_ENTRY (no allocation). */
export function lookupPte(kmm: KernelMm, pgd: number, lo: number, hi: number): number {
  const p4d = p4dOffset(kmm, pgdOffset(kmm, pgd, lo, hi), lo, hi);
  return pteOffset(kmm, pmdOffset(kmm, pudOffset(kmm, p4d, lo, hi), lo, hi), lo, hi);
}

/**
 * Linux __pte_alloc() and friends down from the top: the address of the entry
 * at `level` (1 = PTE .. 3 = PUD) for hi:lo, creating missing tables with
 * `tableFlags`; -1 when a table cannot be allocated. Assumes no large page
 * above `level` (user mms have none; the kernel's direct map is never split).
 * New tables are linked with a plain write: a not-present entry is never cached.
 */
export function allocEntry(kmm: KernelMm, mm: MmStruct | null, pgd: number, lo: number, hi: number, level: number, tableFlags: number): number {
  const mem = kmm.mem;
  let entry = pgd + tableIndex(lo, hi, kmm.levels) * 8;
  for (let l = kmm.levels - 1; l >= level; l--) {
    let elo = mem.read32(entry);
    let table: number;
    if ((elo & PTE_P) === 0) {
      table = pgtableAlloc(kmm);
      if (table < 0) return -1;
      if (mm !== null) mm.pgtablesBytes += PAGE_SIZE;
      elo = ((table % TWO32) | tableFlags) >>> 0;
      mem.write32(entry + 4, Math.floor(table / TWO32));
      mem.write32(entry, elo);
    } else {
      if ((elo & PTE_PS) !== 0) throw new Error(`allocEntry: large page above level ${level}`);
      table = entryAddr(elo, mem.read32(entry + 4));
    }
    entry = table + tableIndex(lo, hi, l) * 8;
  }
  return entry;
}

/** How setPte invalidates a present entry it replaces. */
export const Flush = {
  /** INVLPG / INVPCID for this one page now. */
  Now: 0,
  /** Record in the TlbGather passed along; tlbFinish flushes. */
  Gather: 1,
  /** Kernel mappings only: leave the stale entry for the lazy vmap purge. */
  Lazy: 2,
} as const;
export type Flush = (typeof Flush)[keyof typeof Flush];

/** Linux struct mmu_gather, reduced to the flush range of one mm. */
export class TlbGather {
  mm: MmStruct | null = null;
  pages = 0;
  readonly lo: number[] = [];
  readonly hi: number[] = [];

  reset(mm: MmStruct | null): this {
    this.mm = mm;
    this.pages = 0;
    this.lo.length = 0;
    this.hi.length = 0;
    return this;
  }
}

/**
 * Linux set_pte_at() + flush_tlb_page(): writes the entry at `entry` (the entry
 * for linear address hi:lo in `mm`, or in the kernel half when mm is null) and,
 * if the old entry was present, invalidates the translation (see file comment).
 * Returns nothing: a PTE write cannot fail.
 */
export function setPte(
  kmm: KernelMm,
  mm: MmStruct | null,
  entry: number,
  lo: number,
  hi: number,
  newLo: number,
  newHi: number,
  flush: Flush = Flush.Now,
  gather: TlbGather | null = null,
): void {
  const mem = kmm.mem;
  const oldLo = mem.read32(entry);
  mem.write32(entry + 4, newHi);
  mem.write32(entry, newLo);
  if ((oldLo & PTE_P) === 0) return;
  if (flush === Flush.Gather && gather !== null) {
    if (gather.pages++ < TLB_SINGLE_PAGE_FLUSH_CEILING) {
      gather.lo.push(lo);
      gather.hi.push(hi);
    }
    return;
  }
  if (flush === Flush.Lazy) return;
  flushTlbPage(kmm, mm, lo, hi);
}

/** Linux flush_tlb_page() / flush_tlb_one_kernel(): one page of mm (null: kernel, global entries). */
export function flushTlbPage(kmm: KernelMm, mm: MmStruct | null, lo: number, hi: number): void {
  const mmu = kmm.mmu;
  if (mm === null || mm === kmm.activeMm) mmu.invlpg(lo, hi);
  else if (mm.pcid !== 0) mmu.invpcid(0, mm.pcid, lo, hi);
  if (kmm.traceTlb) kmm.traceTlbFlush(1, mm === null ? TLB_LOCAL_SHOOTDOWN : TLB_LOCAL_MM_SHOOTDOWN);
}

/** Linux tlb_finish_mmu(): the gathered invalidations, per page or for the whole PCID. */
export function tlbFinish(kmm: KernelMm, g: TlbGather): void {
  if (g.pages === 0) return;
  const mm = g.mm;
  const mmu = kmm.mmu;
  if (g.pages > TLB_SINGLE_PAGE_FLUSH_CEILING) {
    // Whole PCID (not globals): INVPCID type 1; with the mm loaded that is its current PCID.
    if (mm === null) mmu.invpcid(2, 0, 0, 0);
    else if (mm === kmm.activeMm) mmu.invpcid(1, mmu.currentPcid, 0, 0);
    else if (mm.pcid !== 0) mmu.invpcid(1, mm.pcid, 0, 0);
    if (kmm.traceTlb) kmm.traceTlbFlush(-1, TLB_LOCAL_MM_SHOOTDOWN);
  } else {
    for (let i = 0; i < g.lo.length; i++) {
      if (mm === null || mm === kmm.activeMm) mmu.invlpg(g.lo[i]!, g.hi[i]!);
      else if (mm.pcid !== 0) mmu.invpcid(0, mm.pcid, g.lo[i]!, g.hi[i]!);
    }
    if (kmm.traceTlb) kmm.traceTlbFlush(g.pages, TLB_LOCAL_MM_SHOOTDOWN);
  }
  g.reset(mm);
}

/** Linux enum tlb_flush_reason (include/linux/mm_types.h), as the tlb_flush tracepoint prints it. */
export const TLB_FLUSH_ON_TASK_SWITCH = 0;
export const TLB_REMOTE_SHOOTDOWN = 1;
export const TLB_LOCAL_SHOOTDOWN = 2;
export const TLB_LOCAL_MM_SHOOTDOWN = 3;
export const TLB_FLUSH_REASONS = ['flush on task switch', 'remote shootdown', 'local shootdown', 'local mm shootdown'] as const;
