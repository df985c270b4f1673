// <linux/mm_types.h>: the memory structures a module reads — struct
// mm_struct (one address space) and struct vm_area_struct (one mapping) —
// and the VMA iterator, VM_* flags and mmap lock of <linux/mm.h> and
// <linux/mmap_lock.h> that walk them.
//
// A struct is a view of the kernel's real object: reading a field reads the
// kernel's current value, writing a writable field changes the kernel's
// object, and the same kernel object always gives the same view
// (`find_vma(mm, a) === find_vma(mm, a)`). Fields that are 64-bit in C are
// bigint (addresses, vm_flags, vm_pgoff, pgprot, page counts); int fields are
// number.
import type { pgd_ptr, pgprot_t, ulong } from './types';
import type { file } from './fs_types';

/**
 * struct mm_struct (include/linux/mm_types.h): one address space. Read-only
 * here: a module changes an address space through the mm functions
 * (find_vma, remap_pfn_range...), never by writing its layout fields.
 */
export interface mm_struct {
  /** pgd_t *pgd: the kernel virtual address (through the direct map) of the top-level table (PML4, or PML5 with LA57). */
  readonly pgd: pgd_ptr;
  /** Top of the mmap area; top-down searches start below it. */
  readonly mmap_base: ulong;
  readonly mmap_legacy_base: ulong;
  /** TASK_SIZE of the address space: the end of user space. */
  readonly task_size: ulong;
  readonly start_code: ulong;
  readonly end_code: ulong;
  readonly start_data: ulong;
  readonly end_data: ulong;
  readonly start_brk: ulong;
  readonly brk: ulong;
  readonly start_stack: ulong;
  readonly arg_start: ulong;
  readonly arg_end: ulong;
  readonly env_start: ulong;
  readonly env_end: ulong;
  /** Pages mapped by all VMAs. */
  readonly total_vm: ulong;
  /** Pages of VM_LOCKED VMAs. */
  readonly locked_vm: ulong;
  /** Pages of private writable, executable, and stack VMAs (vm_stat_account's classes). */
  readonly data_vm: ulong;
  readonly exec_vm: ulong;
  readonly stack_vm: ulong;
  /** RSS and VM high-water marks, in pages. */
  readonly hiwater_rss: ulong;
  readonly hiwater_vm: ulong;
  /** Number of VMAs (int). */
  readonly map_count: number;
  /** atomic_t mm_users: tasks using the address space (+ get_task_mm references). */
  readonly mm_users: number;
}

/**
 * struct vm_operations_struct (include/linux/mm.h), as a VMA holds it: the
 * driver's object. Its members and struct vm_fault are documented with the
 * mmap-driver functions (mm.d.ts).
 */
export interface vm_operations_struct {
  /** Called when a VMA is duplicated or split off (fork, split_vma). */
  open?(vma: vm_area_struct): void;
  /** Called when a VMA is removed (munmap, exit). */
  close?(vma: vm_area_struct): void;
  /** A not-present page of the VMA was touched: supply vmf.page (a struct page *), or return VM_FAULT_* bits. */
  fault?(vmf: vm_fault): number;
  /** The name /proc/PID/maps shows for the VMA. */
  name?(vma: vm_area_struct): string | null;
}

/** struct vm_fault (include/linux/mm.h): what a fault handler is told and answers. */
export interface vm_fault {
  readonly vma: vm_area_struct;
  /** The faulting address, page aligned. */
  readonly address: ulong;
  /** The page's offset in the mapping, in pages (vma->vm_pgoff + page index in the VMA). */
  readonly pgoff: ulong;
  /** FAULT_FLAG_* bits: FAULT_FLAG_WRITE (0x1) for a write. */
  readonly flags: number;
  /** Set by the handler: the struct page * to map (its reference goes to the mapping), or 0n. */
  page: bigint;
}

/**
 * struct vm_area_struct (include/linux/mm_types.h): one mapping [vm_start,
 * vm_end) of an address space. vm_flags, vm_pgoff, vm_ops and
 * vm_private_data are writable, as a driver's mmap writes them.
 */
export interface vm_area_struct {
  readonly vm_start: ulong;
  readonly vm_end: ulong;
  /** VM_* bits (VM_READ, VM_IO, VM_PFNMAP...). */
  vm_flags: ulong;
  /** The PTE protection bits the mapping's pages get (vm_get_page_prot(vm_flags)); follows vm_flags. */
  readonly vm_page_prot: pgprot_t;
  /** Offset in the file (or the mapped object) in pages; for anonymous memory vm_start >> PAGE_SHIFT. */
  vm_pgoff: ulong;
  vm_ops: vm_operations_struct | null;
  /** The driver's own data, kept across split and fork. */
  vm_private_data: unknown;
  /** The address space the VMA belongs to. */
  readonly vm_mm: mm_struct;
  /** The open file mapped, null for anonymous memory. */
  readonly vm_file: file | null;
}
