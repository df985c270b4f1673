// mmap, munmap, mprotect, brk and madvise (Linux mm/mmap.c do_mmap /
// mmap_region / do_brk_flags, mm/vma.c do_vmi_munmap, mm/mprotect.c,
// mm/madvise.c), with Linux's argument checks and errno values. Addresses are
// user addresses (numbers below 2^56). Each returns a value or -errno.
import { PF_U, PF_W } from '../../emu/machine/trap';
import { PTE_RW } from '../../emu/machine/mmu/paging';
import type { MappableFile } from '../fs/mappable';
import { EACCES, EAGAIN, EEXIST, EINVAL, ENOMEM, EOPNOTSUPP, EOVERFLOW, EPERM } from '../errno';
import { PAGE_SIZE, PG_anon, pageAlign } from './page';
import { Flush, entryPfn, lookupPte, setPte, tlbFinish } from './pgtable';
import { PTE_PRESENT_MASK, changePteProtHi, changePteProtLo } from './prot';
import { ShmemFile } from './filemap';
import { VM_FAULT_OK, handleMmFault } from './memory';
import type { MmStruct } from './mm-struct';
import { forEachPteSlot, unmapRegion, vmaClose, zapRange } from './unmap';
import {
  VM_ACCESS_FLAGS,
  VM_ACCOUNT,
  VM_DONTCOPY,
  VM_DONTDUMP,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_HUGEPAGE,
  VM_LOCKED,
  VM_LOCKONFAULT,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_NOHUGEPAGE,
  VM_NORESERVE,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_WRITE,
  VmAreaStruct,
  roundHintToMin,
  vmStartGap,
} from './vma';
import type { KernelMm } from './kernel-mm';
import { withHooks } from '../hooks';
import { TWO32 } from '../../emu/machine/cpu/int64';
import { RLIMIT_DATA, RLIMIT_MEMLOCK } from '../resource';
import { mappedPages, mayExpandVm, mlockFutureOk, munmapSplitAllowed, vmEnoughMemory } from './limits';

export const PROT_NONE = 0x0;
export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const PROT_EXEC = 0x4;
export const PROT_SEM = 0x8;
export const PROT_GROWSDOWN = 0x01000000;
export const PROT_GROWSUP = 0x02000000;

export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_SHARED_VALIDATE = 0x03;
export const MAP_TYPE = 0x0f;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_GROWSDOWN = 0x0100;
export const MAP_DENYWRITE = 0x0800;
export const MAP_EXECUTABLE = 0x1000;
export const MAP_LOCKED = 0x2000;
export const MAP_NORESERVE = 0x4000;
export const MAP_POPULATE = 0x8000;
export const MAP_NONBLOCK = 0x10000;
export const MAP_STACK = 0x20000;
export const MAP_HUGETLB = 0x40000;
export const MAP_SYNC = 0x80000;
export const MAP_FIXED_NOREPLACE = 0x100000;
export const MAP_UNINITIALIZED = 0x4000000;
/** Linux LEGACY_MAP_MASK: the flags MAP_SHARED accepts without validation. */
export const LEGACY_MAP_MASK =
  MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED |
  MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB;

export const MADV_NORMAL = 0;
export const MADV_RANDOM = 1;
export const MADV_SEQUENTIAL = 2;
export const MADV_WILLNEED = 3;
export const MADV_DONTNEED = 4;
export const MADV_FREE = 8;
export const MADV_DONTFORK = 10;
export const MADV_DOFORK = 11;
export const MADV_HUGEPAGE = 14;
export const MADV_NOHUGEPAGE = 15;
export const MADV_DONTDUMP = 16;
export const MADV_DODUMP = 17;

/** What an fd gives mmap (K3's vfs.fileForMmap): the file, its open mode, and a driver's mmap hook. */
export interface MmapSource {
  readonly file: MappableFile;
  /** Opened for reading (FMODE_READ); default true. */
  readonly readable?: boolean;
  /** Opened for writing (FMODE_WRITE); default false. */
  readonly writable?: boolean;
  /** /dev/zero: after the mode checks the mapping is anonymous memory (shmem when shared). */
  readonly anonymous?: boolean;
  /** Driver mmap hook (file_operations.mmap): may set vmOps / VM_PFNMAP on the new VMA; 0 or -errno. */
  readonly mmap?: (vma: VmAreaStruct) => number;
}

/** Linux calc_vm_prot_bits(). */
export function calcVmProtBits(prot: number): number {
  return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
}

/**
 * Linux do_mmap() (with ksys_mmap_pgoff's file part done by the caller):
 * returns the mapped address or -errno. `off` is the file offset in bytes.
 */
export function doMmap(kmm: KernelMm, mm: MmStruct, addr: number, len: number, prot: number, flags: number, src: MmapSource | null, off: number): number {
  if (off % PAGE_SIZE !== 0 || off < 0) return -EINVAL;
  if (len === 0) return -EINVAL;
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
  if (flags & MAP_FIXED_NOREPLACE) flags |= MAP_FIXED;
  if (!(flags & MAP_FIXED)) addr = roundHintToMin(addr, kmm.mmapMinAddr);
  len = pageAlign(len);
  if (len === 0 || len > mm.taskSize) return -ENOMEM;
  const pgoff = off / PAGE_SIZE;
  if (pgoff + len / PAGE_SIZE > Number.MAX_SAFE_INTEGER / PAGE_SIZE) return -EOVERFLOW;
  // Too many mappings? (Linux's check lets the count reach one past the limit: a new mapping may merge.)
  if (mm.vmas.length > kmm.maxMapCount) return -ENOMEM;
  let vmFlags = calcVmProtBits(prot) | mm.defFlags | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_SOFTDIRTY;
  if (flags & MAP_GROWSDOWN) vmFlags |= VM_GROWSDOWN;
  if (flags & MAP_LOCKED) vmFlags |= VM_LOCKED;
  if (flags & MAP_NORESERVE) vmFlags |= VM_NORESERVE;
  const type = flags & MAP_TYPE;
  if (src !== null) {
    if (type === MAP_SHARED || type === MAP_SHARED_VALIDATE) {
      if (type === MAP_SHARED) flags &= LEGACY_MAP_MASK;
      else if (flags & ~(LEGACY_MAP_MASK | MAP_SYNC | MAP_FIXED_NOREPLACE)) return -EOPNOTSUPP;
      if (prot & PROT_WRITE && src.writable !== true) return -EACCES;
      vmFlags |= VM_SHARED | VM_MAYSHARE;
      if (src.writable !== true) vmFlags &= ~(VM_MAYWRITE | VM_SHARED);
    } else if (type !== MAP_PRIVATE) return -EINVAL;
    if (src.readable === false) return -EACCES;
  }
  if (src !== null && src.anonymous === true) {
    src = null; // the mode checks are done; the memory is anonymous (shmem if VM_MAYSHARE)
  } else if (src === null) {
    if (type === MAP_SHARED || type === MAP_SHARED_VALIDATE) {
      if (vmFlags & VM_GROWSDOWN) return -EINVAL;
      vmFlags |= VM_SHARED | VM_MAYSHARE;
    } else if (type !== MAP_PRIVATE) return -EINVAL;
  }
  // __get_unmapped_area()
  if (flags & MAP_FIXED) {
    if (addr > mm.taskSize - len) return -ENOMEM;
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    // security_mmap_addr() (cap_mmap_addr): tasks lack CAP_SYS_RAWIO, so nothing below vm.mmap_min_addr.
    if (addr < kmm.mmapMinAddr) return -EPERM;
    if (flags & MAP_FIXED_NOREPLACE && mm.vmas.findVmaIntersection(addr, addr + len)) return -EEXIST;
  } else {
    const a = mm.vmas.getUnmappedArea(len, { mmapBase: mm.mmapBase, taskSize: mm.taskSize, hint: addr, legacyBase: mm.mmapLegacyBase || undefined, mmapMinAddr: kmm.mmapMinAddr });
    if (a < 0) return a;
    addr = a;
  }
  if (flags & MAP_LOCKED && mm.rlim.rlimit(RLIMIT_MEMLOCK) === 0) return -EPERM; // can_do_mlock()
  if (!mlockFutureOk(mm, vmFlags, len)) return -EAGAIN;
  return mmapRegion(kmm, mm, addr, len, vmFlags, src, pgoff, flags);
}

/**
 * Linux mmap_region(): replace whatever is at [addr, addr + len), make the
 * VMA, merge, populate. First, with nothing changed yet: the unmap of what is
 * there must not split past vm.max_map_count, the pages added (those
 * replaced are not) must fit RLIMIT_AS and, for a data mapping, RLIMIT_DATA
 * (may_expand_vm), and a private writable mapping must pass the overcommit
 * check (accountable_mapping, __vm_enough_memory): each -ENOMEM.
 */
function mmapRegion(kmm: KernelMm, mm: MmStruct, addr: number, len: number, vmFlags: number, src: MmapSource | null, pgoff: number, flags: number): number {
  const end = addr + len;
  if (!munmapSplitAllowed(kmm, mm, addr, end)) return -ENOMEM;
  if (!mayExpandVm(kmm, mm, vmFlags, len / PAGE_SIZE - mappedPages(mm, addr, end))) return -ENOMEM;
  if ((vmFlags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) === VM_WRITE && !vmEnoughMemory(kmm, len / PAGE_SIZE - mappedPages(mm, addr, end, true)))
    return -ENOMEM;
  doMunmapRange(kmm, mm, addr, end);
  let file = src?.file ?? null;
  if (src === null && vmFlags & VM_MAYSHARE) file = new ShmemFile(len, (f) => kmm.pageCache.evictShmem(f));
  if (file === null) vmFlags |= VM_ACCOUNT;
  const vma = new VmAreaStruct({ vmStart: addr, vmEnd: addr + len, vmFlags, vmFile: file, vmPgoff: file ? (src ? pgoff : 0) : undefined });
  if (src?.mmap) {
    const r = src.mmap(vma);
    if (r < 0) {
      // unmap_and_free_vma: undo any partial mapping done by a device driver
      // (remap_pfn_range of some pages before a later one failed).
      unmapRegion(kmm, mm, [vma], addr, end);
      vmaClose(vma);
      return r;
    }
  }
  if (mm.vmas.insertVma(vma) < 0) throw new Error('mmapRegion: range still mapped after munmap');
  const merged = mm.vmas.vmaMerge(vma);
  mm.updateHiwater();
  if ((flags & MAP_POPULATE && !(flags & MAP_NONBLOCK)) || vmFlags & VM_LOCKED) populateRange(kmm, mm, merged, addr, addr + len);
  return addr;
}

/**
 * Linux populate_vma_page_range(): faults in every page of [start, end),
 * with a write fault in private writable VMAs (breaking COW), a read fault
 * otherwise. Stops quietly at the first fault that fails, as mm_populate.
 */
export function populateRange(kmm: KernelMm, mm: MmStruct, vma: VmAreaStruct, start: number, end: number): void {
  if (vma.vmFlags & (VM_PFNMAP | VM_LOCKONFAULT) || (vma.vmFlags & VM_ACCESS_FLAGS) === 0) return;
  const write = (vma.vmFlags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
  const mem = kmm.mem;
  for (let va = start; va < end; va += PAGE_SIZE) {
    const lo = va >>> 0;
    const hi = Math.floor(va / TWO32);
    const pte = lookupPte(kmm, mm.pgd, lo, hi);
    if (pte >= 0) {
      const plo = mem.read32(pte);
      if (plo & PTE_PRESENT_MASK && (!write || plo & PTE_RW)) continue;
    }
    const present = pte >= 0 && (mem.read32(pte) & PTE_PRESENT_MASK) !== 0;
    if (handleMmFault(kmm, mm, lo, hi, PF_U | (write ? PF_W : 0) | (present ? 1 : 0)) !== VM_FAULT_OK) return;
  }
}

/**
 * Linux do_vmi_align_munmap() on an aligned user range: take out the VMAs,
 * zap, free tables. The range must lie below TASK_SIZE: callers check user
 * input (doVmiMunmap), so anything else is a kernel bug, and it would reach
 * the kernel half's tables, which every mm shares.
 */
export function doMunmapRange(kmm: KernelMm, mm: MmStruct, start: number, end: number): void {
  if (!(start < end && end <= mm.taskSize && start % PAGE_SIZE === 0 && end % PAGE_SIZE === 0))
    throw new Error(`munmap of [0x${start.toString(16)}, 0x${end.toString(16)}): not a page-aligned range below TASK_SIZE 0x${mm.taskSize.toString(16)}`);
  withHooks(kmm, 'munmap', mm, start, end, () => {
    const removed = mm.vmas.removeRange(start, end);
    if (removed.length === 0) return;
    unmapRegion(kmm, mm, removed, start, end);
    for (const v of removed) vmaClose(v);
  });
}

/**
 * Linux do_vmi_munmap(): unmaps [start, start + len): 0, or -EINVAL for an
 * unaligned start, a range reaching past TASK_SIZE or an empty one, -ENOMEM
 * for a hole punched in a VMA when mm holds vm.max_map_count VMAs. munmap(2)
 * and the unmaps inside mremap go through it.
 */
export function doVmiMunmap(kmm: KernelMm, mm: MmStruct, start: number, len: number): number {
  if (start % PAGE_SIZE !== 0 || start > mm.taskSize || len > mm.taskSize - start) return -EINVAL;
  len = pageAlign(len);
  if (len === 0) return -EINVAL;
  if (!munmapSplitAllowed(kmm, mm, start, start + len)) return -ENOMEM;
  doMunmapRange(kmm, mm, start, start + len);
  return 0;
}

/** munmap(2): 0 or -errno (Linux __vm_munmap). */
export function doMunmap(kmm: KernelMm, mm: MmStruct, start: number, len: number): number {
  return doVmiMunmap(kmm, mm, start, len);
}

/**
 * Linux change_protection() over [start, end) of vma: rewrite the present
 * PTEs for the VMA's current flags, gathering the invalidations.
 */
export function changeProtection(kmm: KernelMm, mm: MmStruct, vma: VmAreaStruct, start: number, end: number): void {
  const mem = kmm.mem;
  const m = kmm.memMap;
  const g = kmm.gather.reset(mm);
  const f = vma.vmFlags;
  forEachPteSlot(kmm, mm, start, end, (pte, va) => {
    const lo = mem.read32(pte);
    if ((lo & PTE_PRESENT_MASK) === 0) return;
    const hi = mem.read32(pte + 4);
    const pfn = entryPfn(lo, hi);
    const exclusive = m.pfnValid(pfn) && (m.flags[pfn]! & PG_anon) !== 0 && m.mapcount[pfn] === 0 && m.refcount[pfn] === 1;
    const nlo = changePteProtLo(lo, f, exclusive || (f & VM_SHARED) !== 0);
    const nhi = changePteProtHi(hi, f);
    if (nlo !== lo || nhi !== hi >>> 0) setPte(kmm, mm, pte, va >>> 0, Math.floor(va / TWO32), nlo, nhi, Flush.Gather, g);
  });
  tlbFinish(kmm, g);
}

/**
 * mprotect(2): 0 or -errno (Linux do_mprotect_pkey). A range past the last
 * VMA (TASK_SIZE included) is a hole: -ENOMEM, after the VMAs before it
 * changed, as in Linux; only VMAs are walked, never the kernel half.
 */
export function doMprotect(kmm: KernelMm, mm: MmStruct, start: number, len: number, prot: number): number {
  if ((prot & (PROT_GROWSDOWN | PROT_GROWSUP)) === (PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  if (len === 0) return 0;
  len = pageAlign(len);
  const end = start + len;
  // end <= start in C: the length wrapped, or start + len passed 2^64.
  if (len === 0 || end >= 2 ** 64) return -ENOMEM;
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
  return withHooks(kmm, 'mprotect', mm, start, end, () => {
    const r = mm.vmas.mprotectRange(start, end, calcVmProtBits(prot), kmm.maxMapCount);
    // VMAs changed before a failure stay changed, as in Linux: bring all their PTEs in line.
    for (let v = mm.vmas.findVmaIntersection(start, end); v !== null && v.vmStart < end; v = mm.vmas.vmaNext(v))
      changeProtection(kmm, mm, v, Math.max(start, v.vmStart), Math.min(end, v.vmEnd));
    return r;
  });
}

/** Linux VM_DATA_DEFAULT_FLAGS on x86-64 (no READ_IMPLIES_EXEC), plus VM_ACCOUNT as do_brk_flags. */
export const VM_BRK_FLAGS = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT | VM_SOFTDIRTY;

/**
 * brk(2) (Linux SYSCALL_DEFINE1(brk), mm/mmap.c): the new break, or the
 * unchanged one when the request is refused; a refusal moves nothing and
 * maps nothing ("goto out" returns origbrk). Refused: below start_brk; a
 * heap plus data segment above RLIMIT_DATA (check_data_rlimit, shrinks
 * included, as Linux); a shrink with no VMA in [newbrk, oldbrk); beyond
 * TASK_SIZE, the kernel half included, or growing from below
 * vm.mmap_min_addr (check_brk_limits); colliding with the next mapping or
 * its stack guard gap; then do_brk_flags': past RLIMIT_AS or RLIMIT_DATA
 * (may_expand_vm), past vm.max_map_count, more than memory can back
 * (security_vm_enough_memory_mm). The heap VMA [start_brk, brk) is [heap].
 */
export function doBrk(kmm: KernelMm, mm: MmStruct, brk: number): number {
  const orig = mm.brk;
  if (brk < mm.startBrk) return orig;
  const data = mm.rlim.rlimit(RLIMIT_DATA);
  if (data !== Infinity && brk - mm.startBrk + (mm.endData - mm.startData) > data) return orig;
  const newbrk = pageAlign(brk);
  const oldbrk = pageAlign(mm.brk);
  if (newbrk === oldbrk) {
    mm.brk = brk;
    return brk;
  }
  if (brk <= mm.brk) {
    // "Always allow shrinking brk", but only over something mapped.
    const brkvma = mm.vmas.findVma(newbrk);
    if (brkvma === null || brkvma.vmStart >= oldbrk) return orig;
    if (!munmapSplitAllowed(kmm, mm, newbrk, oldbrk)) return orig;
    mm.brk = brk;
    doMunmapRange(kmm, mm, newbrk, oldbrk);
    return brk;
  }
  // check_brk_limits(): get_unmapped_area(MAP_FIXED) of the growth refuses a
  // range past TASK_SIZE (a break within a page of 2^64 aligns to 0: a length
  // that wraps) and meets security_mmap_addr().
  if (newbrk < oldbrk || newbrk > mm.taskSize || oldbrk < kmm.mmapMinAddr) return orig;
  const next = mm.vmas.findVma(oldbrk);
  if (next !== null && newbrk + PAGE_SIZE > vmStartGap(next)) return orig;
  // do_brk_flags()
  const pages = (newbrk - oldbrk) / PAGE_SIZE;
  if (!mayExpandVm(kmm, mm, VM_BRK_FLAGS, pages)) return orig;
  if (mm.vmas.length > kmm.maxMapCount) return orig;
  if (!vmEnoughMemory(kmm, pages)) return orig;
  const prev = oldbrk > 0 ? mm.vmas.vmaLookup(oldbrk - 1) : null;
  if (prev !== null && prev.vmEnd === oldbrk && prev.vmFlags === VM_BRK_FLAGS && prev.name === '[heap]' && prev.vmFile === null) {
    prev.vmEnd = newbrk;
  } else {
    const vma = new VmAreaStruct({ vmStart: oldbrk, vmEnd: newbrk, vmFlags: VM_BRK_FLAGS, name: '[heap]' });
    if (mm.vmas.insertVma(vma) < 0) return orig;
  }
  mm.brk = brk;
  mm.updateHiwater();
  return brk;
}

/**
 * madvise(2): 0 or -errno (Linux do_madvise and madvise_walk_vmas: -ENOMEM
 * when part of the range is unmapped, past TASK_SIZE included, after
 * advising the rest; only VMAs are walked).
 */
export function doMadvise(kmm: KernelMm, mm: MmStruct, start: number, lenIn: number, advice: number): number {
  const known = [MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_FREE, MADV_DONTFORK, MADV_DOFORK, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP];
  if (!known.includes(advice)) return -EINVAL;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  const len = pageAlign(lenIn);
  if (lenIn !== 0 && len === 0) return -EINVAL;
  const end = start + len;
  if (end >= 2 ** 64) return -EINVAL; // end < start in C
  if (end === start) return 0;
  let unmapped = false;
  let pos = start;
  const vmas: VmAreaStruct[] = [];
  for (let v = mm.vmas.findVmaIntersection(start, end); v !== null && v.vmStart < end; v = mm.vmas.vmaNext(v)) {
    if (v.vmStart > pos) unmapped = true;
    vmas.push(v);
    pos = v.vmEnd;
  }
  if (pos < end) unmapped = true;
  for (const v of vmas) {
    const s = Math.max(start, v.vmStart);
    const e = Math.min(end, v.vmEnd);
    const r = madviseVma(kmm, mm, v, s, e, advice);
    if (r < 0) return r;
  }
  return unmapped ? -ENOMEM : 0;
}

function madviseVma(kmm: KernelMm, mm: MmStruct, vma: VmAreaStruct, s: number, e: number, advice: number): number {
  switch (advice) {
    case MADV_DONTNEED: {
      // Linux madvise_dontneed_free_valid_vma(): not for locked or device mappings.
      if (vma.vmFlags & (VM_LOCKED | VM_PFNMAP)) return -EINVAL;
      const g = kmm.gather.reset(mm);
      zapRange(kmm, mm, vma, s, e, g);
      tlbFinish(kmm, g);
      return 0;
    }
    case MADV_FREE:
      // Lazy free: pages go under memory pressure only, which vmlab does not model; valid for private anon only.
      return vma.vmFile === null && !(vma.vmFlags & VM_SHARED) ? 0 : -EINVAL;
    case MADV_DONTFORK:
      return setVmaFlags(kmm, mm, vma, s, e, VM_DONTCOPY, 0);
    case MADV_DOFORK:
      return setVmaFlags(kmm, mm, vma, s, e, 0, VM_DONTCOPY);
    case MADV_HUGEPAGE:
      return setVmaFlags(kmm, mm, vma, s, e, VM_HUGEPAGE, VM_NOHUGEPAGE);
    case MADV_NOHUGEPAGE:
      return setVmaFlags(kmm, mm, vma, s, e, VM_NOHUGEPAGE, VM_HUGEPAGE);
    case MADV_DONTDUMP:
      return setVmaFlags(kmm, mm, vma, s, e, VM_DONTDUMP, 0);
    case MADV_DODUMP:
      return setVmaFlags(kmm, mm, vma, s, e, 0, VM_DONTDUMP);
    default:
      return 0; // NORMAL, RANDOM, SEQUENTIAL, WILLNEED: read-ahead hints, nothing to do
  }
}

// Linux madvise_update_vma(): [s, e) of vma gets the flags (vma_modify_flags:
// merge, or split, refused at vm.max_map_count). madvise_vma_behavior reports
// a failure for want of memory as -EAGAIN ("resources temporarily unavailable").
function setVmaFlags(kmm: KernelMm, mm: MmStruct, vma: VmAreaStruct, s: number, e: number, set: number, clear: number): number {
  const nf = ((vma.vmFlags | set) & ~clear) >>> 0;
  const r = mm.vmas.modifyFlags(vma, s, e, nf, kmm.maxMapCount);
  if (typeof r !== 'number') return 0;
  return r === -ENOMEM ? -EAGAIN : r;
}
