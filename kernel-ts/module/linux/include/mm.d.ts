// <linux/mm.h> for mmap drivers: mapping kernel memory into a user VMA from a
// file_operations.mmap (remap_pfn_range, vm_insert_page,
// remap_vmalloc_range), or page by page from a vm_operations_struct.fault
// (struct vm_fault and vm_operations_struct are in mm_types.d.ts):
//
//   mmap(file, vma) {                                 // the kmalloc buffer, at once
//     return remap_pfn_range(vma, vma.vm_start, virt_to_phys(buf) >> PAGE_SHIFT,
//                            vma.vm_end - vma.vm_start, vma.vm_page_prot);
//   }
//   fault(vmf) {                                      // the vmalloc buffer, on demand
//     const page = vmalloc_to_page(vbuf + (vmf.pgoff << PAGE_SHIFT));
//     get_page(page); vmf.page = page; return 0;
//   }
//
// Misuse Linux WARNs about (an address or range not page aligned or outside
// the VMA, a PTE already there) is -EINVAL/-EBUSY with the WARN naming the function.
import type { vm_area_struct } from './mm_types';
import type { page_ptr, pfn_t, pgprot_t, size_t, ulong } from './types';

/** vm_fault_t: VM_FAULT_* bits (0: the handler set vmf.page). */
export type vm_fault_t = number;

/** Linux's vm_fault_reason values (include/linux/mm_types.h). */
export declare const VM_FAULT_OOM: 0x000001;
export declare const VM_FAULT_SIGBUS: 0x000002;
export declare const VM_FAULT_MAJOR: 0x000004;
export declare const VM_FAULT_HWPOISON: 0x000010;
export declare const VM_FAULT_HWPOISON_LARGE: 0x000020;
export declare const VM_FAULT_SIGSEGV: 0x000040;
/** The handler installed the PTE itself (vmf_insert_pfn/vmf_insert_page). */
export declare const VM_FAULT_NOPAGE: 0x000100;
/** Linux's other vm_fault_reason bits. vmlab's fault path reads only the VM_FAULT_ERROR bits of what a handler returns (then vmf.page, or the PTE vmf_insert_* set). */
export declare const VM_FAULT_LOCKED: 0x000200;
export declare const VM_FAULT_RETRY: 0x000400;
export declare const VM_FAULT_FALLBACK: 0x000800;
export declare const VM_FAULT_DONE_COW: 0x001000;
export declare const VM_FAULT_NEEDDSYNC: 0x002000;
export declare const VM_FAULT_COMPLETED: 0x004000;
/** OOM | SIGBUS | SIGSEGV | HWPOISON | HWPOISON_LARGE | FALLBACK. */
export declare const VM_FAULT_ERROR: number;
/** vmf.flags bit of a write fault (the #PF error code's W bit). */
export declare const FAULT_FLAG_WRITE: 0x1;
/** vmf.flags bit of a fault taken in user mode (the error code's U bit); clear for a kernel access to user memory (put_user, copy_to_user). */
export declare const FAULT_FLAG_USER: 0x40;
/** vmf.flags bit of an instruction fetch (the error code's I bit). */
export declare const FAULT_FLAG_INSTRUCTION: 0x100;

/**
 * remap_pfn_range(vma, addr, pfn, size, prot) (mm/memory.c): maps the frames
 * pfn, pfn + 1, ... at [addr, addr + PAGE_ALIGN(size)) of the VMA with
 * protection `prot` (normally vma.vm_page_prot) now, and marks the VMA
 * VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP: the frames stay the
 * driver's (no reference taken; munmap and exit just clear the PTEs).
 * 0, or -EINVAL (addr not page aligned, or the range not inside the VMA:
 * with a WARN), -EBUSY (a PTE is already there: Linux BUG()s), -ENOMEM
 * (no page table); on failure the PTEs it set are cleared. A `prot` other
 * than vma.vm_page_prot is -EINVAL with a WARN when it gives more than the
 * VMA allows (present in a PROT_NONE VMA, writable without VM_WRITE,
 * executable without VM_EXEC), is not a present user page, is global, or
 * has bits beyond the flags: Linux maps it, vmlab keeps user PTEs within
 * their VMA's rights.
 */
export declare function remap_pfn_range(vma: vm_area_struct, addr: ulong, pfn: pfn_t, size: size_t, prot: pgprot_t): number;
/** io_remap_pfn_range: remap_pfn_range (x86 has no separate I/O mapping). */
export declare function io_remap_pfn_range(vma: vm_area_struct, addr: ulong, pfn: pfn_t, size: size_t, prot: pgprot_t): number;
/**
 * vm_insert_page(vma, addr, page) (mm/memory.c): maps one page at addr now
 * (VM_MIXEDMAP). 0, or -EINVAL (addr not page aligned or outside the VMA, a
 * free or slab page, a VM_PFNMAP VMA), -EBUSY (a PTE is there), -ENOMEM.
 */
export declare function vm_insert_page(vma: vm_area_struct, addr: ulong, page: page_ptr): number;
/**
 * remap_vmalloc_range(vma, addr, pgoff) (mm/vmalloc.c): maps the vmalloc
 * area at `addr` (+ pgoff pages) over the whole VMA page by page, and sets
 * VM_DONTEXPAND | VM_DONTDUMP. 0, or -EINVAL (addr not page aligned, not a
 * vmalloc address, or the area shorter than the VMA).
 */
export declare function remap_vmalloc_range(vma: vm_area_struct, addr: ulong, pgoff: ulong | number): number;
/**
 * vmf_insert_pfn(vma, addr, pfn) (mm/memory.c): from a fault handler, maps
 * frame pfn at addr (in a VM_PFNMAP or VM_MIXEDMAP VMA: otherwise a WARN and
 * VM_FAULT_SIGBUS); VM_FAULT_NOPAGE, which the handler returns.
 */
export declare function vmf_insert_pfn(vma: vm_area_struct, addr: ulong, pfn: pfn_t): vm_fault_t;
/** vmf_insert_page(vma, addr, page): as vmf_insert_pfn for a struct page; VM_FAULT_NOPAGE or VM_FAULT_SIGBUS. */
export declare function vmf_insert_page(vma: vm_area_struct, addr: ulong, page: page_ptr): vm_fault_t;

/** stack_guard_gap (mm/mmap.c): the gap kept free below a VM_GROWSDOWN VMA, 256 pages (Linux's default; a boot parameter there). */
export declare const stack_guard_gap: ulong;
/**
 * vm_start_gap(vma) (include/linux/mm.h): where the free space below vma
 * must end: vm_start, or vm_start - stack_guard_gap for a stack
 * (VM_GROWSDOWN), not below 0. A search for a hole (Linux's unmapped_area)
 * compares with it, not with vm_start.
 */
export declare function vm_start_gap(vma: vm_area_struct): ulong;
