// Creating, copying and tearing down address spaces (Linux kernel/fork.c
// mm_alloc/dup_mmap, mm/memory.c copy_page_range, mm/mmap.c exit_mmap).
import { PTE_A, PTE_D, PTE_RW } from '../../emu/machine/mmu/paging';
import { PAGE_SIZE, PG_anon, PG_swapbacked } from './page';
import { Flush, PAGE_TABLE, allocEntry, entryPfn, pgtableFree, setPte, tlbFinish } from './pgtable';
import { PTE_PRESENT_MASK } from './prot';
import { isRawPfnVma } from './memory';
import { MmStruct } from './mm-struct';
import { archPickMmapLayout } from './aslr';
import { forEachPteSlot, freePgtables, unmapRegion, vmaClose, zapRange } from './unmap';
import { VM_DONTCOPY, VM_LOCKED_MASK, VM_MAYWRITE, VM_SHARED } from './vma';
import type { VmAreaStruct } from './vma';
import type { KernelMm } from './kernel-mm';
import { TWO32 } from '../../emu/machine/cpu/int64';

/** Linux mm_alloc() + mm_init(): an empty address space with the kernel half; null when out of memory. */
export function mmCreate(kmm: KernelMm): MmStruct | null {
  const pgd = kmm.kspace.pgdAlloc();
  if (pgd < 0) return null;
  const mm = new MmStruct(pgd, kmm.kspace.taskSize);
  // The non-random layout until the loader picks one (exec's arch_pick_mmap_layout).
  archPickMmapLayout(mm, kmm.random, false);
  return mm;
}

/** Linux is_cow_mapping(): private and possibly writable. */
export function isCowMapping(flags: number): boolean {
  return (flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
}

/**
 * Linux dup_mmap() for fork: a new mm with copies of old's VMAs (not
 * VM_DONTCOPY ones), its layout fields, and its page tables: every present PTE
 * is copied (copy_present_pte). Private writable pages become copy-on-write:
 * RW is cleared in both the parent's PTE (with its TLB entry invalidated) and
 * the child's, and the page gains a mapcount and a reference. Shared pages are
 * shared writable. The child's entries are old (A clear), shared ones clean.
 * Returns the child, or -ENOMEM (nothing leaks).
 */
export function dupMmap(kmm: KernelMm, old: MmStruct): MmStruct | number {
  const mm = mmCreate(kmm);
  if (mm === null) return -12;
  mm.mmapBase = old.mmapBase;
  mm.mmapLegacyBase = old.mmapLegacyBase;
  mm.taskSize = old.taskSize;
  mm.startCode = old.startCode;
  mm.endCode = old.endCode;
  mm.startData = old.startData;
  mm.endData = old.endData;
  mm.startBrk = old.startBrk;
  mm.brk = old.brk;
  mm.startStack = old.startStack;
  mm.argStart = old.argStart;
  mm.argEnd = old.argEnd;
  mm.envStart = old.envStart;
  mm.envEnd = old.envEnd;
  const mem = kmm.mem;
  const m = kmm.memMap;
  const g = kmm.gather.reset(old);
  for (const vma of old.vmas) {
    if ((vma.vmFlags & VM_DONTCOPY) !== 0) continue;
    const copy = vma.dup();
    copy.vmFlags = (copy.vmFlags & ~VM_LOCKED_MASK) >>> 0; // dup_mmap: locks are not inherited
    mm.vmas.insertVma(copy);
    copy.vmOps?.open?.(copy); // dup_mmap: the child's copy is a new user of the driver's mapping
    const cow = isCowMapping(vma.vmFlags);
    const raw = isRawPfnVma(vma);
    const shared = (vma.vmFlags & VM_SHARED) !== 0;
    let failed = false;
    forEachPteSlot(kmm, old, vma.vmStart, vma.vmEnd, (pte, va) => {
      if (failed) return;
      let lo = mem.read32(pte);
      if ((lo & PTE_PRESENT_MASK) === 0) return;
      const hi = mem.read32(pte + 4);
      const vlo = va >>> 0;
      const vhi = Math.floor(va / TWO32);
      const dst = allocEntry(kmm, mm, mm.pgd, vlo, vhi, 1, PAGE_TABLE);
      if (dst < 0) {
        failed = true;
        return;
      }
      if (cow && (lo & PTE_RW) !== 0) {
        lo = (lo & ~PTE_RW) >>> 0;
        setPte(kmm, old, pte, vlo, vhi, lo, hi, Flush.Gather, g);
      }
      let clo = lo & ~PTE_A;
      if (shared) clo &= ~PTE_D;
      setPte(kmm, mm, dst, vlo, vhi, clo >>> 0, hi);
      if (raw) return;
      const pfn = entryPfn(lo, hi);
      m.refcount[pfn]!++;
      m.mapcount[pfn]!++;
      // The child's RSS counts what was copied (copy_present_pte's rss[]): VM_DONTCOPY pages are not.
      const flags = m.flags[pfn]!;
      if ((flags & PG_anon) !== 0) mm.rssAnon++;
      else if ((flags & PG_swapbacked) !== 0) mm.rssShmem++;
      else mm.rssFile++;
    });
    if (failed) {
      tlbFinish(kmm, g);
      exitMmap(kmm, mm);
      return -12;
    }
  }
  tlbFinish(kmm, g);
  mm.hiwaterRss = mm.rss;
  mm.hiwaterVm = mm.totalVm;
  return mm;
}

/**
 * Linux exit_mmap(): unmaps every VMA (dropping page references), frees all
 * user page tables and the pgd, and gives up the PCID. If mm is loaded, CR3
 * goes back to swapper_pg_dir first. The mm must not be used afterwards.
 */
export function exitMmap(kmm: KernelMm, mm: MmStruct): void {
  if (mm.dead) throw new Error(`exitMmap: mm ${mm.id} already torn down`);
  if (kmm.activeMm === mm) kmm.switchToInitMm();
  const vmas = mm.vmas.toArray();
  const g = kmm.gather.reset(mm);
  for (const vma of vmas) zapRange(kmm, mm, vma, vma.vmStart, vma.vmEnd, g);
  freePgtables(kmm, mm, 0, mm.taskSize, g);
  tlbFinish(kmm, g);
  if (vmas.length > 0) mm.vmas.removeRange(vmas[0]!.vmStart, vmas[vmas.length - 1]!.vmEnd);
  for (const vma of vmas) vmaClose(vma);
  kmm.releasePcid(mm);
  pgtableFree(kmm, mm.pgd);
  mm.pgtablesBytes -= PAGE_SIZE;
  mm.dead = true;
}

/** Linux mmput(): drop a user; the last one tears the mm down. */
export function mmput(kmm: KernelMm, mm: MmStruct): void {
  if (--mm.users === 0) exitMmap(kmm, mm);
}

/** Linux do_munmap's page work for one already-removed set of VMAs (re-exported for mmap.ts). */
export function unmapVmas(kmm: KernelMm, mm: MmStruct, removed: VmAreaStruct[], start: number, end: number): void {
  unmapRegion(kmm, mm, removed, start, end);
  for (const v of removed) vmaClose(v);
}
