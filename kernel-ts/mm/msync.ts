// msync(2) (Linux mm/msync.c). MS_SYNC on a MAP_SHARED file mapping writes
// the range's dirty pages back to the file (vfs_fsync_range): a page some
// store went through has the Dirty bit in this mm's PTE; msync moves that
// bit to the page (PG_dirty, cleaning and flushing the PTE, as
// folio_mkclean does) and the page cache writes every dirty page of the
// file range. MS_ASYNC starts nothing, as in Linux since 2.6.19 (the
// stores stay visible to read(2) through the page cache anyway).
import { PTE_D } from '../../emu/machine/mmu/paging';
import { TWO32 } from '../../emu/machine/cpu/int64';
import { EBUSY, EINVAL, ENOMEM } from '../errno';
import type { KernelMm } from './kernel-mm';
import type { MmStruct } from './mm-struct';
import { PAGE_SIZE, PG_anon, PG_dirty, PG_swapbacked, pageAlign } from './page';
import { Flush, entryPfn, setPte, tlbFinish } from './pgtable';
import { PTE_PRESENT_MASK } from './prot';
import { forEachPteSlot } from './unmap';
import { isMappableFile } from './filemap';
import { VM_LOCKED, VM_SHARED } from './vma';
import type { VmAreaStruct } from './vma';

/** msync(2) flags (asm-generic/mman-common.h). */
export const MS_ASYNC = 1;
export const MS_INVALIDATE = 2;
export const MS_SYNC = 4;

/**
 * folio_mkclean() for this mm's PTEs of [start, end) of a shared file VMA: a Dirty PTE
 * is cleaned (and its TLB entry flushed, so the next store sets D again)
 * and its page-cache page marked PG_dirty.
 */
function mkcleanRange(kmm: KernelMm, mm: MmStruct, start: number, end: number): void {
  const mem = kmm.mem;
  const m = kmm.memMap;
  const g = kmm.gather.reset(mm);
  forEachPteSlot(kmm, mm, start, end, (pte, va) => {
    const lo = mem.read32(pte);
    if ((lo & PTE_PRESENT_MASK) === 0 || (lo & PTE_D) === 0) return;
    const hi = mem.read32(pte + 4);
    const pfn = entryPfn(lo, hi);
    if (!m.pfnValid(pfn) || m.flags[pfn]! & (PG_anon | PG_swapbacked)) return;
    setPte(kmm, mm, pte, va >>> 0, Math.floor(va / TWO32), (lo & ~PTE_D) >>> 0, hi, Flush.Gather, g);
    m.setFlag(pfn, PG_dirty);
  });
  tlbFinish(kmm, g);
}

/** vfs_fsync_range() of the file vma maps, for [start, end) of vma: 0 (writeback to RAM files cannot fail). */
function fsyncRange(kmm: KernelMm, mm: MmStruct, vma: VmAreaStruct, start: number, end: number): number {
  const file = vma.vmFile;
  if (!isMappableFile(file)) return 0;
  mkcleanRange(kmm, mm, start, end);
  const first = (start - vma.vmStart) / PAGE_SIZE + (vma.vmPgoff ?? 0);
  kmm.pageCache.writebackRange(file, first, first + (end - start) / PAGE_SIZE - 1);
  return 0;
}

/**
 * msync(2) (SYSCALL_DEFINE3(msync)): 0 or -errno. -EINVAL for unknown
 * flags, an unaligned start, or MS_ASYNC with MS_SYNC; -ENOMEM when the
 * range wraps or is partly unmapped (the mapped parts are still synced;
 * MS_ASYNC alone stops at the first hole); -EBUSY for MS_INVALIDATE on a
 * locked VMA.
 */
export function doMsync(kmm: KernelMm, mm: MmStruct, start: number, len: number, flags: number): number {
  if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return -EINVAL;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  if (flags & MS_ASYNC && flags & MS_SYNC) return -EINVAL;
  len = pageAlign(len);
  const end = start + len;
  if (end >= 2 ** 64) return -ENOMEM;
  if (end === start) return 0;
  let unmappedError = 0;
  let vma = mm.vmas.findVma(start);
  for (;;) {
    if (vma === null) return -ENOMEM;
    if (start < vma.vmStart) {
      if (flags === MS_ASYNC) return -ENOMEM;
      start = vma.vmStart;
      if (start >= end) return -ENOMEM;
      unmappedError = -ENOMEM;
    }
    if (flags & MS_INVALIDATE && vma.vmFlags & VM_LOCKED) return -EBUSY;
    const segEnd = Math.min(end, vma.vmEnd);
    if (flags & MS_SYNC && vma.vmFile !== null && vma.vmFlags & VM_SHARED) {
      const r = fsyncRange(kmm, mm, vma, start, segEnd);
      if (r < 0) return r;
    }
    start = vma.vmEnd;
    if (start >= end) return unmappedError;
    vma = mm.vmas.findVma(start);
  }
}
