// mremap(2) and the VMA move it is built on (Linux mm/mremap.c). Moving
// moves page-table entries, not data: the same frames are mapped at the new
// address, with unchanged mapcounts. moveVma is the reusable piece (a
// VMA-move driver shares it).
import { EAGAIN, EFAULT, EINVAL, ENOMEM, EPERM } from '../errno';
import { PAGE_SIZE, pageAlign } from './page';
import { Flush, PAGE_TABLE, allocEntry, setPte, tlbFinish } from './pgtable';
import { PTE_PRESENT_MASK } from './prot';
import type { MmStruct } from './mm-struct';
import { doVmiMunmap } from './mmap';
import { forEachPteSlot, freePgtables, vmaClose } from './unmap';
import { VM_ACCOUNT, VM_DONTEXPAND, VM_GROWSDOWN, VM_PFNMAP, vmStartGap } from './vma';
import { mayExpandVm, mlockFutureOk, vmEnoughMemory } from './limits';
import type { VmAreaStruct } from './vma';
import type { KernelMm } from './kernel-mm';
import { withHooks } from '../hooks';
import { TWO32 } from '../../emu/machine/cpu/int64';

export const MREMAP_MAYMOVE = 1;
export const MREMAP_FIXED = 2;
export const MREMAP_DONTUNMAP = 4;


/**
 * Linux move_vma() for a whole VMA: maps it at [newStart, newStart + newLen)
 * (newLen >= its length; the range must be free), moving every PTE
 * (move_page_tables), and removes the old range, freeing its empty page
 * tables. Returns the new VMA, or -ENOMEM (page tables) with nothing changed
 * but the tables allocated.
 */
export function moveVma(kmm: KernelMm, mm: MmStruct, vma: VmAreaStruct, newStart: number, newLen: number = vma.vmEnd - vma.vmStart): VmAreaStruct | number {
  return withHooks(kmm, 'vma_move', mm, vma.vmStart, vma.vmEnd, () => moveVmaEntries(kmm, mm, vma, newStart, newLen), newStart);
}

function moveVmaEntries(kmm: KernelMm, mm: MmStruct, vma: VmAreaStruct, newStart: number, newLen: number): VmAreaStruct | number {
  const oldStart = vma.vmStart;
  const oldEnd = vma.vmEnd;
  const oldLen = oldEnd - oldStart;
  if (newLen < oldLen || newStart % PAGE_SIZE !== 0 || newLen % PAGE_SIZE !== 0) return -EINVAL;
  if (newStart + newLen > mm.taskSize) return -EINVAL;
  if (newStart < oldEnd && newStart + newLen > oldStart) return -EINVAL;
  if (mm.vmas.findVmaIntersection(newStart, newStart + newLen) !== null) return -ENOMEM;
  const mem = kmm.mem;
  // Allocate every destination table first, so a failure moves nothing.
  let failed = false;
  forEachPteSlot(kmm, mm, oldStart, oldEnd, (pte, va) => {
    if (failed || (mem.read32(pte) & PTE_PRESENT_MASK) === 0) return;
    const nva = newStart + (va - oldStart);
    if (allocEntry(kmm, mm, mm.pgd, nva >>> 0, Math.floor(nva / TWO32), 1, PAGE_TABLE) < 0) failed = true;
  });
  if (failed) return -ENOMEM;
  const g = kmm.gather.reset(mm);
  forEachPteSlot(kmm, mm, oldStart, oldEnd, (pte, va) => {
    const lo = mem.read32(pte);
    if ((lo & PTE_PRESENT_MASK) === 0) return;
    const hi = mem.read32(pte + 4);
    const nva = newStart + (va - oldStart);
    const nlo = nva >>> 0;
    const nhi = Math.floor(nva / TWO32);
    const dst = allocEntry(kmm, mm, mm.pgd, nlo, nhi, 1, PAGE_TABLE);
    setPte(kmm, mm, pte, va >>> 0, Math.floor(va / TWO32), 0, 0, Flush.Gather, g);
    setPte(kmm, mm, dst, nlo, nhi, lo, hi);
  });
  const moved = vma.dup();
  moved.vmStart = newStart;
  moved.vmEnd = newStart + newLen;
  // Linux keeps vm_pgoff on a move (an anonymous VMA remembers where it was born).
  const removed = mm.vmas.removeRange(oldStart, oldEnd);
  for (const v of removed) vmaClose(v);
  freePgtables(kmm, mm, oldStart, oldEnd, g);
  tlbFinish(kmm, g);
  mm.vmas.insertVma(moved);
  moved.vmOps?.open?.(moved); // copy_vma; the old VMA was closed above
  return mm.vmas.vmaMerge(moved);
}

// Linux remap_is_valid(): the VMA can be resized from oldLen to newLen at
// addr; 0 or -errno. A zero old length (Linux's "duplicate a shared mapping")
// is refused for every VMA: -EINVAL, as Linux does for private ones. Growth
// must fit RLIMIT_MEMLOCK (-EAGAIN) and RLIMIT_AS/RLIMIT_DATA (-ENOMEM).
function remapIsValid(kmm: KernelMm, mm: MmStruct, vma: VmAreaStruct, addr: number, oldLen: number, newLen: number): number {
  if (oldLen === 0) return -EINVAL;
  if (oldLen > vma.vmEnd - addr) return -EFAULT;
  if (newLen === oldLen) return 0;
  if (vma.vmFlags & (VM_DONTEXPAND | VM_PFNMAP)) return -EFAULT;
  const delta = Math.abs(newLen - oldLen);
  if (!mlockFutureOk(mm, vma.vmFlags, delta)) return -EAGAIN;
  if (!mayExpandVm(kmm, mm, vma.vmFlags, delta / PAGE_SIZE)) return -ENOMEM;
  return 0;
}

// Linux vrm_calc_charge(): an accounted (private writable) VMA grown by `delta`
// bytes must pass the overcommit check.
function chargeOk(kmm: KernelMm, vma: VmAreaStruct, delta: number): boolean {
  return (vma.vmFlags & VM_ACCOUNT) === 0 || vmEnoughMemory(kmm, delta / PAGE_SIZE);
}

// Linux prep_move_vma(): a move may need up to 4 more VMAs for a while.
function moveRefused(kmm: KernelMm, mm: MmStruct): boolean {
  return mm.vmas.length >= kmm.maxMapCount - 3;
}

// Split vma so that [addr, addr + len) is a VMA of its own; returns it.
function isolate(mm: MmStruct, vma: VmAreaStruct, addr: number, len: number): VmAreaStruct {
  let v = vma;
  if (v.vmStart < addr) v = mm.vmas.splitVma(v, addr);
  if (v.vmEnd > addr + len) mm.vmas.splitVma(v, addr + len);
  return v;
}

/**
 * mremap(2): the new address or -errno (Linux SYSCALL_DEFINE5(mremap),
 * check_mremap_params(), do_mremap(), mremap_to(), mremap_at()). Every
 * argument is checked before anything changes: an old address outside
 * every VMA is -EFAULT, even for a shrink; a shrink whose old range runs
 * past TASK_SIZE is -EINVAL (do_vmi_munmap's check, the range never reaches
 * the page-table walk); MREMAP_DONTUNMAP is refused (-EINVAL).
 */
export function doMremap(kmm: KernelMm, mm: MmStruct, addr: number, oldLen: number, newLen: number, flags: number, newAddr: number): number {
  return withHooks(kmm, 'mremap', mm, addr, addr + pageAlign(oldLen), () => mremapRange(kmm, mm, addr, oldLen, newLen, flags, newAddr));
}

function mremapRange(kmm: KernelMm, mm: MmStruct, addr: number, oldLen: number, newLen: number, flags: number, newAddr: number): number {
  // check_mremap_params()
  if (flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP)) return -EINVAL;
  if (addr % PAGE_SIZE !== 0) return -EINVAL;
  if (pageAlign(newLen) === 0) return -EINVAL;
  const fixed = (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) !== 0;
  if (fixed) {
    if (newAddr % PAGE_SIZE !== 0) return -EINVAL;
    if (!(flags & MREMAP_MAYMOVE)) return -EINVAL;
    if (flags & MREMAP_DONTUNMAP && oldLen !== newLen) return -EINVAL;
    // Both the source and the destination may split into three before the move.
    if (mm.vmas.length + 2 >= kmm.maxMapCount - 3) return -ENOMEM;
  }
  if (flags & MREMAP_DONTUNMAP) return -EINVAL; // not implemented by vmlab
  oldLen = pageAlign(oldLen);
  newLen = pageAlign(newLen);
  // do_mremap(): the old address must be inside a VMA, whatever is asked
  // (a shrink or a same-size call included): vma_lookup() == NULL is -EFAULT.
  const vma = mm.vmas.vmaLookup(addr);
  if (vma === null) return -EFAULT;
  return fixed ? mremapTo(kmm, mm, addr, oldLen, newLen, newAddr) : mremapAt(kmm, mm, vma, addr, oldLen, newLen, flags);
}

// Linux mremap_to(): move [addr, addr + oldLen) to newAddr, resized to newLen.
function mremapTo(kmm: KernelMm, mm: MmStruct, addr: number, oldLen: number, newLen: number, newAddr: number): number {
  if (newLen > mm.taskSize || newAddr > mm.taskSize - newLen) return -EINVAL;
  if (addr + oldLen > newAddr && newAddr + newLen > addr) return -EINVAL;
  let r = doVmiMunmap(kmm, mm, newAddr, newLen);
  if (r < 0) return r;
  if (mm.vmas.vmaLookup(addr) === null) return -EFAULT;
  if (oldLen > newLen) {
    r = doVmiMunmap(kmm, mm, addr + newLen, oldLen - newLen);
    if (r < 0) return r;
    oldLen = newLen;
  }
  const vma = mm.vmas.vmaLookup(addr);
  if (vma === null) return -EFAULT;
  r = remapIsValid(kmm, mm, vma, addr, oldLen, newLen);
  if (r < 0) return r;
  if (newAddr < kmm.mmapMinAddr) return -EPERM; // get_unmapped_area(MAP_FIXED): security_mmap_addr()
  if (moveRefused(kmm, mm) || !chargeOk(kmm, vma, Math.max(0, newLen - oldLen))) return -ENOMEM;
  const moved = moveVma(kmm, mm, isolate(mm, vma, addr, oldLen), newAddr, newLen);
  return typeof moved === 'number' ? moved : newAddr;
}

// Linux mremap_at(): resize in place (a shrink always can), else move if MREMAP_MAYMOVE allows.
function mremapAt(kmm: KernelMm, mm: MmStruct, vma: VmAreaStruct, addr: number, oldLen: number, newLen: number, flags: number): number {
  if (oldLen === newLen) return addr;
  if (oldLen > newLen) {
    // shrink_vma(): do_vmi_munmap() of the tail refuses a range past TASK_SIZE.
    const r = doVmiMunmap(kmm, mm, addr + newLen, oldLen - newLen);
    return r < 0 ? r : addr;
  }
  const valid = remapIsValid(kmm, mm, vma, addr, oldLen, newLen);
  if (valid < 0) return valid;
  // Grow in place when [addr, addr + oldLen) ends the VMA and the gap above is free (vma_expandable).
  if (oldLen === vma.vmEnd - addr) {
    const next = mm.vmas.vmaNext(vma);
    const limit = next === null ? mm.taskSize : vmStartGap(next);
    if (addr + newLen <= limit && !(vma.vmFlags & VM_GROWSDOWN)) {
      if (!chargeOk(kmm, vma, newLen - oldLen)) return -ENOMEM;
      vma.vmEnd = addr + newLen;
      mm.vmas.vmaMerge(vma);
      mm.updateHiwater();
      return addr;
    }
  }
  if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
  const dest = mm.vmas.getUnmappedArea(newLen, { mmapBase: mm.mmapBase, taskSize: mm.taskSize, legacyBase: mm.mmapLegacyBase || undefined, mmapMinAddr: kmm.mmapMinAddr });
  if (dest < 0) return dest;
  if (moveRefused(kmm, mm) || !chargeOk(kmm, vma, newLen - oldLen)) return -ENOMEM;
  const r = moveVma(kmm, mm, isolate(mm, vma, addr, oldLen), dest, newLen);
  return typeof r === 'number' ? r : dest;
}
