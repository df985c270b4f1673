// remap_pfn_range() for driver mmap hooks (Linux mm/memory.c), built from the
// public mm functions: the user PTEs of [addr, addr + size) in mm get the
// frames pfn, pfn + 1, ... with the VMA's protection, at mmap time, and the
// VMA is marked as Linux marks it (VM_IO | VM_PFNMAP | VM_DONTEXPAND |
// VM_DONTDUMP), so munmap and exit clear the PTEs without touching the
// frames' reference counts: the driver owns them.
import { ENOMEM, EINVAL, EBUSY } from '../errno';
import { PAGE_SIZE } from '../mm/page';
import { NO_ENTRY, PAGE_TABLE, allocEntry, lookupPte, setPte, vaHi, vaLo } from '../mm/pgtable';
import { PTE_PRESENT_MASK, pfnPteHi, pfnPteLo, vmPageProtHi, vmPageProtLo } from '../mm/prot';
import { VM_DONTDUMP, VM_DONTEXPAND, VM_IO, VM_PFNMAP } from '../mm/vma';
import type { VmAreaStruct } from '../mm/vma';
import type { KernelMm } from '../mm/kernel-mm';
import type { MmStruct } from '../mm/mm-struct';

/**
 * Linux remap_pfn_range(vma, addr, pfn, size, vma->vm_page_prot): 0, or
 * -EINVAL for a range outside the VMA or not page sized, -ENOMEM when a page
 * table cannot be allocated, -EBUSY if a PTE is already there (Linux's
 * BUG_ON(!pte_none)). On failure the PTEs it set are cleared again.
 */
export function remapPfnRange(kmm: KernelMm, mm: MmStruct, vma: VmAreaStruct, addr: number, pfn: number, size: number): number {
  if (size <= 0 || size % PAGE_SIZE !== 0 || addr % PAGE_SIZE !== 0 || addr < vma.vmStart || addr + size > vma.vmEnd) return -EINVAL;
  vma.vmFlags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
  const protLo = vmPageProtLo(vma.vmFlags);
  const protHi = vmPageProtHi(vma.vmFlags);
  const undo = (err: number, done: number): number => {
    zapPfnRange(kmm, mm, addr, done * PAGE_SIZE);
    return err;
  };
  for (let i = 0; i < size / PAGE_SIZE; i++) {
    const va = addr + i * PAGE_SIZE;
    const pte = allocEntry(kmm, mm, mm.pgd, vaLo(va), vaHi(va), 1, PAGE_TABLE);
    if (pte < 0) return undo(-ENOMEM, i);
    if ((kmm.mem.read32(pte) & PTE_PRESENT_MASK) !== 0) return undo(-EBUSY, i);
    setPte(kmm, mm, pte, vaLo(va), vaHi(va), pfnPteLo(pfn + i, protLo), pfnPteHi(pfn + i, protHi));
  }
  return 0;
}

/**
 * Clears the PTEs of [addr, addr + size) that a failed mmap hook had set
 * (the VMA never reaches the mm, so munmap would not find them). The frames
 * are the driver's: no reference counts change. Empty page tables stay
 * until the range is unmapped or the mm goes.
 */
export function zapPfnRange(kmm: KernelMm, mm: MmStruct, addr: number, size: number): void {
  for (let va = addr; va < addr + size; va += PAGE_SIZE) {
    const pte = lookupPte(kmm, mm.pgd, vaLo(va), vaHi(va));
    if (pte !== NO_ENTRY && kmm.mem.read32(pte) !== 0) setPte(kmm, mm, pte, vaLo(va), vaHi(va), 0, 0);
  }
}
