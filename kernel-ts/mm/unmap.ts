// Taking pages out of an address space (Linux mm/memory.c zap_pte_range,
// unmap_vmas, free_pgtables) and walking the present PTEs of a range.
import { PTE_D, PTE_P, PTE_PS } from '../../emu/machine/mmu/paging';
import { tableIndex } from '../../emu/machine/mmu/walk';
import { PAGE_SIZE, PG_anon, PG_dirty, PG_swapbacked } from './page';
import { Flush, TlbGather, entryAddr, entryPfn, pgtableFree, setPte, tableEmpty, tlbFinish } from './pgtable';
import { PTE_PRESENT_MASK } from './prot';
import { isRawPfnVma } from './memory';
import type { MmStruct } from './mm-struct';
import type { VmAreaStruct } from './vma';
import type { KernelMm } from './kernel-mm';
import { splitHugePmd } from './huge_memory';
import { TWO32 } from '../../emu/machine/cpu/int64';

/** Bytes mapped by one entry at each level (index = level). */
export const LEVEL_SPAN = [0, 2 ** 12, 2 ** 21, 2 ** 30, 2 ** 39, 2 ** 48];

/** Linux's name of the entries at each level below the top one, the pgd (index = level). */
const LEVEL_NAME = ['', 'pte', 'pmd', 'pud', 'p4d'];

/**
 * A walk of mm's page tables may only cover [start, end) below TASK_SIZE:
 * the kernel half's tables are shared by every mm, and its direct map is
 * made of 1 GiB and 2 MiB leaves. The syscalls refuse such ranges with
 * -EINVAL/-ENOMEM before anything changes, so one here is a kernel bug.
 */
function assertUserRange(what: string, mm: MmStruct, start: number, end: number): void {
  if (start >= 0 && start <= end && end <= mm.taskSize) return;
  throw new Error(
    `${what} of [0x${start.toString(16)}, 0x${end.toString(16)}) reaches past TASK_SIZE 0x${mm.taskSize.toString(16)}: ` +
      'the kernel half\'s page tables are shared by every mm',
  );
}

/**
 * Calls fn(pteAddr, va) for every PTE slot in [start, end) whose page tables
 * exist (the entry itself may be empty), lowest first; skips absent tables
 * whole. start and end are page aligned user addresses.
 */
export function forEachPteSlot(kmm: KernelMm, mm: MmStruct, start: number, end: number, fn: (pte: number, va: number) => void): void {
  assertUserRange('page-table walk', mm, start, end);
  walkLevel(kmm, mm, mm.pgd, kmm.levels, start, end, fn);
}

function walkLevel(kmm: KernelMm, mm: MmStruct, table: number, level: number, start: number, end: number, fn: (pte: number, va: number) => void): void {
  const mem = kmm.mem;
  const span = LEVEL_SPAN[level]!;
  let va = start;
  while (va < end) {
    const lo = va >>> 0;
    const hi = Math.floor(va / TWO32);
    const e = table + tableIndex(lo, hi, level) * 8;
    const next = Math.min(end, (Math.floor(va / span) + 1) * span);
    if (level === 1) {
      fn(e, va);
    } else {
      const elo = mem.read32(e);
      if ((elo & PTE_P) !== 0) {
        // A 2 MiB page (huge_memory.ts): split it, so every walker sees 4 KiB PTEs (Linux split_huge_pmd).
        if ((elo & PTE_PS) !== 0 && (level !== 2 || !splitHugePmd(kmm, mm, e, va - (va % span)))) throw new Error('user mm with a large page that cannot be split');
        walkLevel(kmm, mm, entryAddr(mem.read32(e), mem.read32(e + 4)), level - 1, va, next, fn);
      }
    }
    va = next;
  }
}

/**
 * Linux zap_pte_range() over [start, end) of vma: clears every present PTE,
 * drops the page's mapcount, reference and RSS count (not for device pages),
 * and gathers the TLB invalidations in g.
 */
export function zapRange(kmm: KernelMm, mm: MmStruct, vma: VmAreaStruct, start: number, end: number, g: TlbGather): void {
  const mem = kmm.mem;
  const raw = isRawPfnVma(vma);
  const m = kmm.memMap;
  forEachPteSlot(kmm, mm, start, end, (pte, va) => {
    const lo = mem.read32(pte);
    if ((lo & PTE_PRESENT_MASK) === 0) {
      if (lo !== 0 || mem.read32(pte + 4) !== 0) throw new Error(`stray non-present PTE at 0x${va.toString(16)}`);
      return;
    }
    const pfn = entryPfn(lo, mem.read32(pte + 4));
    setPte(kmm, mm, pte, va >>> 0, Math.floor(va / TWO32), 0, 0, Flush.Gather, g);
    if (raw) return;
    const flags = m.flags[pfn]!;
    if ((flags & PG_anon) !== 0) mm.rssAnon--;
    else if ((flags & PG_swapbacked) !== 0) mm.rssShmem--;
    else {
      mm.rssFile--;
      // zap_present_pte: a store through a shared file mapping dirties the page cache page (written back before it is dropped).
      if ((lo & PTE_D) !== 0) m.setFlag(pfn, PG_dirty);
    }
    m.mapcount[pfn]!--;
    kmm.buddy.putPage(pfn);
  });
}

/**
 * Linux free_pgtables(), simplified: after [start, end) was zapped, frees the
 * page-table pages below the pgd that are now entirely empty and whose span
 * meets the range, clearing their entries bottom-up. The range lies below
 * TASK_SIZE and holds no large page (zapping split them); either broken is
 * a kernel bug and throws before anything is freed at that entry. Table entries are
 * cleared through setPte (a present entry: paging-structure caches must
 * forget it too).
 */
export function freePgtables(kmm: KernelMm, mm: MmStruct, start: number, end: number, g: TlbGather): void {
  if (start >= end) return;
  assertUserRange('free_pgtables', mm, start, end);
  freeLevel(kmm, mm, mm.pgd, kmm.levels, start, end, g);
}

function freeLevel(kmm: KernelMm, mm: MmStruct, table: number, level: number, start: number, end: number, g: TlbGather): void {
  const mem = kmm.mem;
  const span = LEVEL_SPAN[level]!;
  let va = start - (start % span);
  while (va < end) {
    const lo = va >>> 0;
    const hi = Math.floor(va / TWO32);
    const e = table + tableIndex(lo, hi, level) * 8;
    const elo = mem.read32(e);
    if (level > 1 && (elo & PTE_P) !== 0) {
      // A leaf is not a table: descending through it would free the frames it maps.
      if ((elo & PTE_PS) !== 0)
        throw new Error(`free_pgtables: the ${level === kmm.levels ? 'pgd' : LEVEL_NAME[level]} entry for 0x${va.toString(16)} is a leaf (PS=1), not a page table`);
      const child = entryAddr(elo, mem.read32(e + 4));
      if (level > 2) freeLevel(kmm, mm, child, level - 1, Math.max(va, start), Math.min(va + span, end), g);
      if (tableEmpty(mem, child)) {
        setPte(kmm, mm, e, lo, hi, 0, 0, Flush.Gather, g);
        pgtableFree(kmm, child);
        mm.pgtablesBytes -= PAGE_SIZE;
      }
    }
    va += span;
  }
}

/** Linux unmap_region(): zap the pages of the VMAs taken out of [start, end), free empty tables, flush. */
export function unmapRegion(kmm: KernelMm, mm: MmStruct, removed: readonly VmAreaStruct[], start: number, end: number): void {
  const g = kmm.gather.reset(mm);
  for (const vma of removed) zapRange(kmm, mm, vma, vma.vmStart, vma.vmEnd, g);
  freePgtables(kmm, mm, start, end, g);
  tlbFinish(kmm, g);
}

/** Linux remove_vma(): the VMA is gone from the mm; drop its file reference and close hook. */
export function vmaClose(vma: VmAreaStruct): void {
  vma.vmOps?.close?.(vma);
  vma.vmFile?.mapRef?.(-1);
}
