// Kernel stores through the MMU at CPL 0, for the mmapper driver (its
// kernelWriteBytes). TRANSITION (issue 13): what remains of the
// kmalloc-vs-vmalloc lab's walk helpers now that memalloc and memaccess are
// written against vmlab/linux (memalloc-walk.ts); delete this file when
// mmapper is ported (vmlab/linux's memcpy_toio does the same).
import { Access, TRAP_PENDING } from '../../emu/machine/trap';
import { kvaAdd } from '../mm/kaddr';
import type { KernelMm } from '../mm/kernel-mm';
import type { KernelVa } from '../mm/slab';
import { PAGE_SIZE } from '../mm/page';

/**
 * The physical address of kernel address kva as the CPU would reach it in
 * kernel mode (CPL 0) through the loaded page tables, whose kernel half is
 * the same in every address space; -1 if the access would fault.
 */
export function kernelTranslate(kmm: KernelMm, kva: KernelVa, access: Access): number {
  const mmu = kmm.mmu;
  const cpl = mmu.cpl;
  mmu.setCpl(0);
  try {
    // The MMU takes the halves as the CPU's registers hold them: hi signed.
    const pa = mmu.tryTranslate(kva.lo | 0, kva.hi | 0, access);
    return pa === TRAP_PENDING ? -1 : pa;
  } finally {
    mmu.setCpl(cpl);
  }
}

/** Kernel stores of `bytes` at kva, page by page through the MMU (memcpy into kernel memory); false if a page faults. */
export function kernelWriteBytes(kmm: KernelMm, kva: KernelVa, bytes: Uint8Array): boolean {
  let done = 0;
  while (done < bytes.length) {
    const at = kvaAdd(kva, done);
    const n = Math.min(bytes.length - done, PAGE_SIZE - (at.lo & 0xfff));
    const pa = kernelTranslate(kmm, at, Access.Write);
    if (pa < 0) return false;
    kmm.mem.writeBytes(pa, bytes.subarray(done, done + n));
    done += n;
  }
  return true;
}
