// Memory locking (Linux mm/mlock.c): mlock, munlock, mlockall, munlockall.
// A locked VMA carries VM_LOCKED; locking faults every page of the range in
// at once (mm_populate), and the pages then stay, since vmlab never reclaims
// a mapped page (no swap): what lock adds here is that population, the
// accounting (mm->locked_vm: /proc/PID/status VmLck, smaps Locked) and the
// refusals (MADV_DONTNEED on a locked range, msync MS_INVALIDATE).
//
// vmlab's tasks have no CAP_IPC_LOCK, so RLIMIT_MEMLOCK bounds every lock,
// as for an ordinary user.
import { EINVAL, ENOMEM, EPERM } from '../errno';
import type { KernelMm } from './kernel-mm';
import type { MmStruct } from './mm-struct';
import { populateRange } from './mmap';
import { PAGE_SIZE, pageAlign } from './page';
import { RLIMIT_MEMLOCK } from '../resource';
import { VM_LOCKED, VM_LOCKED_MASK, VM_LOCKONFAULT, VM_SPECIAL } from './vma';
import type { VmAreaStruct } from './vma';

/** mlockall(2) flags (asm-generic/mman.h). */
export const MCL_CURRENT = 1;
export const MCL_FUTURE = 2;
export const MCL_ONFAULT = 4;

/** can_do_mlock(): a task without CAP_IPC_LOCK may lock only while RLIMIT_MEMLOCK is not 0. */
function canDoMlock(mm: MmStruct): boolean {
  return mm.rlim.rlimit(RLIMIT_MEMLOCK) !== 0;
}

/** RLIMIT_MEMLOCK in pages (Infinity when unlimited). */
function lockLimitPages(mm: MmStruct): number {
  return Math.floor(mm.rlim.rlimit(RLIMIT_MEMLOCK) / PAGE_SIZE);
}

/**
 * mlock_fixup(): [start, end) of vma gets newflags, split or merged as
 * vma_modify_flags does. VM_SPECIAL mappings (device memory) are left as
 * they are, and succeed, as in Linux. 0 or -ENOMEM (vm.max_map_count).
 */
function mlockFixup(kmm: KernelMm, mm: MmStruct, vma: VmAreaStruct, start: number, end: number, newflags: number): number {
  if (newflags === vma.vmFlags || vma.vmFlags & VM_SPECIAL) return 0;
  const r = mm.vmas.modifyFlags(vma, start, end, newflags >>> 0, kmm.maxMapCount);
  return typeof r === 'number' ? r : 0;
}

/**
 * apply_vma_lock_flags(): sets the lock bits of every VMA in the page-aligned
 * [start, start + len) to `flags`. 0; -EINVAL when the range wraps; -ENOMEM
 * when part of it is unmapped (the VMAs before the hole keep their change).
 */
function applyVmaLockFlags(kmm: KernelMm, mm: MmStruct, start: number, len: number, flags: number): number {
  const end = start + len;
  if (end >= 2 ** 64) return -EINVAL;
  if (end === start) return 0;
  let vma = mm.vmas.vmaLookup(start);
  if (vma === null) return -ENOMEM;
  let nstart = start;
  for (;;) {
    const tmp = Math.min(vma.vmEnd, end);
    const r = mlockFixup(kmm, mm, vma, nstart, tmp, (vma.vmFlags & ~VM_LOCKED_MASK) | flags);
    if (r < 0) return r;
    nstart = tmp;
    if (nstart >= end) return 0;
    // The next VMA must start where this one ended (a merge may already cover nstart).
    vma = mm.vmas.findVma(nstart);
    if (vma === null || vma.vmStart > nstart) return -ENOMEM;
  }
}

/** count_mm_mlocked_page_nr(): pages of [start, start + len) already in locked VMAs. */
function lockedPagesIn(mm: MmStruct, start: number, len: number): number {
  const end = start + len;
  let n = 0;
  for (let v = mm.vmas.findVmaIntersection(start, end); v !== null && v.vmStart < end; v = mm.vmas.vmaNext(v))
    if (v.vmFlags & VM_LOCKED) n += (Math.min(end, v.vmEnd) - Math.max(start, v.vmStart)) / PAGE_SIZE;
  return n;
}

/** __mm_populate(): faults in the locked, accessible VMAs of [start, end). */
function mmPopulate(kmm: KernelMm, mm: MmStruct, start: number, end: number): void {
  for (let v = mm.vmas.findVmaIntersection(start, end); v !== null && v.vmStart < end; v = mm.vmas.vmaNext(v))
    populateRange(kmm, mm, v, Math.max(start, v.vmStart), Math.min(end, v.vmEnd));
}

/**
 * do_mlock(): locks the pages covering [start, start + len) and faults them
 * in. 0; -EPERM with RLIMIT_MEMLOCK 0; -ENOMEM past RLIMIT_MEMLOCK or for an
 * unmapped part; -EINVAL when the range wraps.
 */
export function doMlock(kmm: KernelMm, mm: MmStruct, start: number, len: number): number {
  if (!canDoMlock(mm)) return -EPERM;
  len = pageAlign(len + (start % PAGE_SIZE));
  start -= start % PAGE_SIZE;
  let locked = len / PAGE_SIZE + mm.lockedVm;
  const limit = lockLimitPages(mm);
  if (locked > limit) locked -= lockedPagesIn(mm, start, len);
  if (locked > limit) return -ENOMEM;
  const r = applyVmaLockFlags(kmm, mm, start, len, VM_LOCKED);
  if (r < 0) return r;
  mmPopulate(kmm, mm, start, start + len);
  return 0;
}

/** do_munlock(): the range's VMAs lose VM_LOCKED (the pages stay). 0, -ENOMEM, -EINVAL as doMlock. */
export function doMunlock(kmm: KernelMm, mm: MmStruct, start: number, len: number): number {
  len = pageAlign(len + (start % PAGE_SIZE));
  start -= start % PAGE_SIZE;
  return applyVmaLockFlags(kmm, mm, start, len, 0);
}

/**
 * apply_mlockall_flags(): MCL_FUTURE makes new mappings locked (def_flags),
 * MCL_CURRENT locks every VMA now; MCL_ONFAULT locks without populating.
 * Errors for single VMAs are ignored, as Linux does.
 */
function applyMlockallFlags(kmm: KernelMm, mm: MmStruct, flags: number): void {
  mm.defFlags &= ~VM_LOCKED_MASK;
  if (flags & MCL_FUTURE) {
    mm.defFlags |= VM_LOCKED | (flags & MCL_ONFAULT ? VM_LOCKONFAULT : 0);
    if (!(flags & MCL_CURRENT)) return;
  }
  const toAdd = flags & MCL_CURRENT ? VM_LOCKED | (flags & MCL_ONFAULT ? VM_LOCKONFAULT : 0) : 0;
  for (const v of mm.vmas.toArray()) {
    // An earlier fixup may have merged v away: lock what now covers its start.
    const cur = mm.vmas.vmaLookup(v.vmStart);
    if (cur === null) continue;
    mlockFixup(kmm, mm, cur, cur.vmStart, cur.vmEnd, (cur.vmFlags & ~VM_LOCKED_MASK) | toAdd);
  }
}

/**
 * mlockall(2): -EINVAL for no flags, unknown ones or MCL_ONFAULT alone;
 * -EPERM with RLIMIT_MEMLOCK 0; -ENOMEM when MCL_CURRENT would lock more
 * than RLIMIT_MEMLOCK (the whole address space, total_vm, is counted).
 */
export function doMlockall(kmm: KernelMm, mm: MmStruct, flags: number): number {
  if (flags === 0 || flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) || flags === MCL_ONFAULT) return -EINVAL;
  if (!canDoMlock(mm)) return -EPERM;
  if (flags & MCL_CURRENT && mm.totalVm > lockLimitPages(mm)) return -ENOMEM;
  applyMlockallFlags(kmm, mm, flags);
  if (flags & MCL_CURRENT) mmPopulate(kmm, mm, 0, mm.taskSize);
  return 0;
}

/** munlockall(2): every VMA unlocked, MCL_FUTURE forgotten. Always 0. */
export function doMunlockall(kmm: KernelMm, mm: MmStruct): number {
  applyMlockallFlags(kmm, mm, 0);
  return 0;
}
