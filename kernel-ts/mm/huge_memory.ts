// Transparent huge pages in user mms, reduced to what the VMA-surgery lab
// needs (Linux mm/huge_memory.c, mm/khugepaged.c): collapsing 512 present
// 4 KiB anonymous pages into one 2 MiB page mapped by a PMD with PS=1
// (collapse_huge_page), and splitting such a PMD back into a table of 512
// PTEs pointing into the same frames (__split_huge_pmd + split_page).
// The core page-table walkers split a huge PMD they meet (unmap.ts), so
// zap, mprotect, fork and exit stay 4 KiB-only code; counters are
// /proc/vmstat's thp_collapse_alloc / thp_split_pmd.
import { PTE_P, PTE_PS, PTE_RW } from '../../emu/machine/mmu/paging';
import { Owner, PAGE_SIZE, PG_anon, PG_head, PG_swapbacked, PG_tail } from './page';
import { Flush, NO_ENTRY, PAGE_TABLE, copyFrame, entryAddr, entryPfn, p4dOffset, pgdOffset, pgtableAlloc, pgtableFree, pmdOffset, pudOffset, setPte, tlbFinish, vaHi, vaLo } from './pgtable';
import { PTE_PRESENT_MASK } from './prot';
import type { MmStruct } from './mm-struct';
import type { KernelMm } from './kernel-mm';
import { VM_SPECIAL, VM_WRITE } from './vma';
import { TWO32 } from '../../emu/machine/cpu/int64';

export const HPAGE_PMD_ORDER = 9;
export const HPAGE_PMD_NR = 1 << HPAGE_PMD_ORDER;
export const HPAGE_PMD_SIZE = HPAGE_PMD_NR * PAGE_SIZE;

/** Bits 12..20 of a PMD leaf's address are reserved/PAT: the frame is 2 MiB aligned. */
const PMD_LEAF_FLAGS_MASK = 0xfff & ~PTE_PS;

/** /proc/vmstat's THP counters, per kernel. */
export interface ThpCounters {
  /** Collapses done (Linux thp_collapse_alloc). */
  collapse: number;
  /** Huge PMDs split into PTE tables (thp_split_pmd). */
  splitPmd: number;
}
const counters = new WeakMap<KernelMm, ThpCounters>();

export function thpCounters(kmm: KernelMm): ThpCounters {
  let c = counters.get(kmm);
  if (c === undefined) {
    c = { collapse: 0, splitPmd: 0 };
    counters.set(kmm, c);
  }
  return c;
}

/**
 * /proc/vmstat, the lines vmlab keeps (mm/vmstat.c names): free pages, the
 * 2 MiB pages mapped now, collapses and PMD splits since boot.
 */
export function vmstatText(kmm: KernelMm): string {
  const c = thpCounters(kmm);
  return (
    `nr_free_pages ${kmm.buddy.nrFreePages}\n` +
    `nr_anon_transparent_hugepages ${c.collapse - c.splitPmd}\n` +
    `thp_collapse_alloc ${c.collapse}\n` +
    `thp_split_pmd ${c.splitPmd}\n`
  );
}

/** Linux pmd_offset() from the top for va in mm: the PMD entry's address, or NO_ENTRY when a table above is missing. */
export function pmdEntryFor(kmm: KernelMm, mm: MmStruct, va: number): number {
  const lo = vaLo(va);
  const hi = vaHi(va);
  return pmdOffset(kmm, pudOffset(kmm, p4dOffset(kmm, pgdOffset(kmm, mm.pgd, lo, hi), lo, hi), lo, hi), lo, hi);
}

/** Linux pmd_trans_huge(): the PMD entry at `pmd` is present with PS=1. */
export function pmdHuge(kmm: KernelMm, pmd: number): boolean {
  if (pmd === NO_ENTRY) return false;
  const lo = kmm.mem.read32(pmd);
  return (lo & PTE_P) !== 0 && (lo & PTE_PS) !== 0;
}

/** Number of 2 MiB pages mapped in mm (/proc/PID/status AnonHugePages, in units of 2 MiB). */
export function hugePmdCount(kmm: KernelMm, mm: MmStruct): number {
  let n = 0;
  for (const vma of mm.vmas.toArray()) {
    const first = Math.ceil(vma.vmStart / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE;
    for (let h = first; h + HPAGE_PMD_SIZE <= vma.vmEnd; h += HPAGE_PMD_SIZE) if (pmdHuge(kmm, pmdEntryFor(kmm, mm, h))) n++;
  }
  return n;
}

/**
 * Linux collapse_huge_page() for the 2 MiB-aligned range at haddr: when one
 * anonymous VMA covers it and all 512 PTEs map exclusive anonymous pages,
 * copies them into a new order-9 block, maps it with one PS=1 PMD entry
 * (RW as the VMA allows: the page is exclusive), frees the old frames
 * and the PTE table, and invalidates the range. Returns true if it collapsed.
 */
export function collapseHugePmd(kmm: KernelMm, mm: MmStruct, haddr: number): boolean {
  if (haddr % HPAGE_PMD_SIZE !== 0) return false;
  const vma = mm.vmas.vmaLookup(haddr);
  if (vma === null || vma.vmEnd < haddr + HPAGE_PMD_SIZE || vma.vmFile !== null || (vma.vmFlags & VM_SPECIAL) !== 0) return false;
  const pmd = pmdEntryFor(kmm, mm, haddr);
  if (pmd === NO_ENTRY || pmdHuge(kmm, pmd) || (kmm.mem.read32(pmd) & PTE_P) === 0) return false;
  const mem = kmm.mem;
  const m = kmm.memMap;
  const table = entryAddr(mem.read32(pmd), mem.read32(pmd + 4));
  let andLo = 0xffffffff;
  let orLo = 0;
  let hi0 = 0;
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const lo = mem.read32(table + 8 * i);
    if ((lo & PTE_PRESENT_MASK) === 0) return false;
    const pfn = entryPfn(lo, mem.read32(table + 8 * i + 4));
    if (!m.pfnValid(pfn) || (m.flags[pfn]! & PG_anon) === 0 || (m.flags[pfn]! & (PG_head | PG_tail)) !== 0) return false;
    if (m.mapcount[pfn] !== 0 || m.refcount[pfn] !== 1) return false;
    andLo &= lo;
    orLo |= lo;
    if (i === 0) hi0 = mem.read32(table + 4);
  }
  const head = kmm.buddy.allocPages(HPAGE_PMD_ORDER, Owner.Anon);
  if (head < 0) return false;
  const g = kmm.gather.reset(mm);
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const e = table + 8 * i;
    const pfn = entryPfn(mem.read32(e), mem.read32(e + 4));
    copyFrame(mem, (head + i) * PAGE_SIZE, pfn * PAGE_SIZE);
    const va = haddr + i * PAGE_SIZE;
    setPte(kmm, mm, e, vaLo(va), vaHi(va), 0, 0, Flush.Gather, g);
    m.mapcount[pfn]!--;
    kmm.buddy.putPage(pfn);
  }
  m.flags[head] = m.flags[head]! | PG_anon | PG_swapbacked;
  m.mapcount[head] = 0;
  // Accessed and dirty if any piece was. The new page is exclusive, so it is
  // writable when the VMA is (a write-protected exclusive piece would be reused
  // by do_wp_page anyway), and no write fault ever meets the huge PMD.
  const rw = (vma.vmFlags & VM_WRITE) !== 0 ? PTE_RW : 0;
  const flags = (((andLo & PMD_LEAF_FLAGS_MASK & ~PTE_RW) | rw | (orLo & 0x60) | PTE_PS) >>> 0);
  const pa = head * PAGE_SIZE;
  setPte(kmm, mm, pmd, vaLo(haddr), vaHi(haddr), ((pa % TWO32) | flags) >>> 0, (Math.floor(pa / TWO32) | (hi0 & 0x80000000)) >>> 0, Flush.Gather, g);
  tlbFinish(kmm, g);
  pgtableFree(kmm, table);
  mm.pgtablesBytes -= PAGE_SIZE;
  thpCounters(kmm).collapse++;
  kmm.trace.emit('huge_memory:promote', `mm=${mm.pgd.toString(16)} haddr=0x${haddr.toString(16)} pfn=0x${head.toString(16)}`);
  return true;
}

/**
 * Linux __split_huge_pmd() + split_page() for the huge PMD entry at `pmd`
 * mapping haddr: a new PTE table maps the 512 frames with the PMD's flags
 * (PS cleared), the order-9 compound page becomes 512 order-0 pages with a
 * reference and a mapping each, and the PMD points at the table. Returns
 * false only when no page table can be allocated (nothing changed).
 */
export function splitHugePmd(kmm: KernelMm, mm: MmStruct, pmd: number, haddr: number): boolean {
  const mem = kmm.mem;
  const m = kmm.memMap;
  const lo = mem.read32(pmd);
  const hi = mem.read32(pmd + 4);
  if ((lo & PTE_P) === 0 || (lo & PTE_PS) === 0) throw new Error(`splitHugePmd: no huge PMD at 0x${haddr.toString(16)}`);
  const table = pgtableAlloc(kmm);
  if (table < 0) return false;
  mm.pgtablesBytes += PAGE_SIZE;
  const head = entryPfn(lo & ~0x1fe000, hi);
  const flags = lo & PMD_LEAF_FLAGS_MASK;
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const pa = (head + i) * PAGE_SIZE;
    mem.write32(table + 8 * i + 4, (Math.floor(pa / TWO32) | (hi & 0x80000000)) >>> 0);
    mem.write32(table + 8 * i, ((pa % TWO32) | flags) >>> 0);
  }
  if (m.pfnValid(head) && (m.flags[head]! & PG_head) !== 0) {
    const keep = m.flags[head]! & (PG_anon | PG_swapbacked);
    m.order[head] = 0;
    for (let i = 0; i < HPAGE_PMD_NR; i++) {
      m.flags[head + i] = keep;
      m.priv[head + i] = 0;
      m.refcount[head + i] = 1;
      m.mapcount[head + i] = 0;
    }
  }
  // The huge translation must go from the TLB: one invalidation of haddr drops a 2 MiB entry.
  setPte(kmm, mm, pmd, vaLo(haddr), vaHi(haddr), ((table % TWO32) | PAGE_TABLE) >>> 0, Math.floor(table / TWO32));
  thpCounters(kmm).splitPmd++;
  kmm.trace.emit('huge_memory:demote', `mm=${mm.pgd.toString(16)} haddr=0x${haddr.toString(16)} pfn=0x${head.toString(16)}`);
  return true;
}

/** Splits every huge PMD meeting [start, end) of mm; false if a page table could not be allocated. */
export function splitHugePmdRange(kmm: KernelMm, mm: MmStruct, start: number, end: number): boolean {
  for (let h = Math.floor(start / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE; h < end; h += HPAGE_PMD_SIZE) {
    const pmd = pmdEntryFor(kmm, mm, h);
    if (pmdHuge(kmm, pmd) && !splitHugePmd(kmm, mm, pmd, h)) return false;
  }
  return true;
}
