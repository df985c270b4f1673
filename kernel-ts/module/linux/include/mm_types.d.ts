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
import type { task_struct } from './sched';

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
  /**
   * Called for a new VMA copied from one with these ops, as Linux calls it:
   * the upper part of a split (munmap or mprotect of part of the VMA,
   * split_vma), the child's copy at fork (unless VM_DONTCOPY), the moved VMA
   * of mremap. Each such VMA gets its close when it goes, so a driver can
   * count the mappings of its buffer.
   */
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
  /**
   * FAULT_FLAG_* bits from the fault's error code, as do_user_addr_fault()
   * sets them: FAULT_FLAG_WRITE for a write, FAULT_FLAG_USER for an access
   * from user mode (not for the kernel's put_user), FAULT_FLAG_INSTRUCTION
   * for an instruction fetch (mm.d.ts). Linux's FAULT_FLAG_DEFAULT (retry,
   * killable) is not offered: vmlab's fault path never retries.
   */
  readonly flags: number;
  /** Set by the handler: the struct page * to map (its reference goes to the mapping), or 0n. */
  page: bigint;
}

/**
 * struct vm_area_struct (include/linux/mm_types.h): one mapping [vm_start,
 * vm_end) of an address space. vm_flags, vm_page_prot, vm_pgoff, vm_ops and
 * vm_private_data are writable, as a driver's mmap writes them.
 */
export interface vm_area_struct {
  readonly vm_start: ulong;
  readonly vm_end: ulong;
  /** VM_* bits (VM_READ, VM_IO, VM_PFNMAP...). */
  vm_flags: ulong;
  /**
   * The PTE protection bits the mapping's pages get: vm_get_page_prot(vm_flags)
   * and the cache mode. A driver's mmap may set it, as Linux's do
   * (`vma.vm_page_prot = pgprot_noncached(vma.vm_page_prot)`): the cache-mode
   * bits (_PAGE_PWT, _PAGE_PCD, _PAGE_PAT) stay the VMA's, for the PTEs its
   * faults make and through mprotect (pgprot_modify keeps them); the other
   * bits follow vm_flags, and setting them otherwise is a WARN saying so.
   */
  vm_page_prot: pgprot_t;
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

// ---- VM_* flags (include/linux/mm.h), Linux's values ---------------------------

/** The rights of the mapping: VM_READ 0x1n, VM_WRITE 0x2n, VM_EXEC 0x4n, VM_SHARED 0x8n (MAP_SHARED); VM_NONE 0n. */
export declare const VM_NONE: bigint;
export declare const VM_READ: bigint;
export declare const VM_WRITE: bigint;
export declare const VM_EXEC: bigint;
export declare const VM_SHARED: bigint;
/** VM_MAY*: the rights mprotect may grant (four bits above the right). */
export declare const VM_MAYREAD: bigint;
export declare const VM_MAYWRITE: bigint;
export declare const VM_MAYEXEC: bigint;
export declare const VM_MAYSHARE: bigint;
/** The stack: grows down on a fault below it. */
export declare const VM_GROWSDOWN: bigint;
/** Page frames without struct page use (remap_pfn_range): mm takes no references. */
export declare const VM_PFNMAP: bigint;
/** mlock()ed: the pages stay resident. */
export declare const VM_LOCKED: bigint;
/** Memory-mapped I/O: no core dump, no get_user_pages. */
export declare const VM_IO: bigint;
/** Not inherited by fork (MADV_DONTFORK). */
export declare const VM_DONTCOPY: bigint;
/** mremap may not grow the VMA. */
export declare const VM_DONTEXPAND: bigint;
/** Counted in the commit charge (a private writable mapping). */
export declare const VM_ACCOUNT: bigint;
/** MAP_NORESERVE: not counted. */
export declare const VM_NORESERVE: bigint;
/** Left out of a core dump (MADV_DONTDUMP; remap_pfn_range sets it). */
export declare const VM_DONTDUMP: bigint;
/** Soft-dirty tracking (/proc/PID/clear_refs). */
export declare const VM_SOFTDIRTY: bigint;
/** Pages and raw frames mixed (vm_insert_page sets it). */
export declare const VM_MIXEDMAP: bigint;
/** MADV_HUGEPAGE / MADV_NOHUGEPAGE. */
export declare const VM_HUGEPAGE: bigint;
export declare const VM_NOHUGEPAGE: bigint;
/** VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP: never merged. */
export declare const VM_SPECIAL: bigint;

/** gup_flags (include/linux/mm.h): FOLL_WRITE (0x1) asks for writable pages; FOLL_FORCE (0x10) is accepted and ignored. */
export declare const FOLL_WRITE: number;
export declare const FOLL_FORCE: number;

// ---- finding VMAs (mm/mmap.c, include/linux/mm.h) -------------------------------

/** find_vma(mm, addr) (mm/mmap.c): the first VMA with vm_end > addr (it may start above addr), or null. */
export declare function find_vma(mm: mm_struct, addr: bigint): vm_area_struct | null;
/** vma_lookup(mm, addr) (include/linux/mm.h): the VMA containing addr, or null. */
export declare function vma_lookup(mm: mm_struct, addr: bigint): vm_area_struct | null;
/** find_vma_intersection(mm, start, end) (mm/mmap.c): the first VMA overlapping [start, end), or null. */
export declare function find_vma_intersection(mm: mm_struct, start: bigint, end: bigint): vm_area_struct | null;
/** vma_pages(vma): its size in pages. */
export declare function vma_pages(vma: vm_area_struct): bigint;

/**
 * struct vma_iterator (include/linux/mm_types.h): a position in an address
 * space's VMAs. It remembers an address, not an index, so VMAs added or
 * removed behind it do not derail it (as the maple tree's index).
 */
export interface vma_iterator {
  readonly mm: mm_struct;
  /** Where the next search starts. */
  index: bigint;
}
/**
 * VMA_ITERATOR(name, mm, addr) (include/linux/mm_types.h) as an expression:
 * `const vmi = VMA_ITERATOR(mm, 0n);`.
 */
export declare function VMA_ITERATOR(mm: mm_struct, addr: bigint): vma_iterator;
/** vma_next(vmi): the next VMA (the first one at or above vmi.index), or null at the end. */
export declare function vma_next(vmi: vma_iterator): vm_area_struct | null;
/** vma_find(vmi, max): the next VMA starting below max, or null. */
export declare function vma_find(vmi: vma_iterator, max: bigint): vm_area_struct | null;
/**
 * for_each_vma(vmi, vma) (include/linux/mm.h) as an iterable:
 * `for (const vma of for_each_vma(vmi)) { ... }` visits each VMA from
 * vmi.index upward, lowest first.
 */
export declare function for_each_vma(vmi: vma_iterator): Iterable<vm_area_struct>;

// ---- the mmap lock (include/linux/mmap_lock.h) ---------------------------------

/**
 * mmap_read_lock(mm) / mmap_write_lock(mm) and their unlocks. vmlab has one
 * CPU and a module's call runs to its end, so the lock never waits; it is
 * tracked as lockdep tracks it: unlocking a lock not held is lockdep's "bad
 * unlock balance" WARN, taking it again while held is "possible recursive
 * locking", and ending the call (returning to user space, or a kthread
 * step) with it held is "lock held when returning to user space" (then it
 * is dropped).
 */
export declare function mmap_read_lock(mm: mm_struct): void;
export declare function mmap_read_unlock(mm: mm_struct): void;
export declare function mmap_write_lock(mm: mm_struct): void;
export declare function mmap_write_unlock(mm: mm_struct): void;
/** mmap_read_trylock: takes the read lock if no writer holds it; true if taken. */
export declare function mmap_read_trylock(mm: mm_struct): boolean;
/** mmap_write_downgrade: the write lock becomes a read lock. */
export declare function mmap_write_downgrade(mm: mm_struct): void;

// ---- another task's memory (kernel/fork.c, mm/memory.c, mm/gup.c) ---------------

/** get_task_mm(task) (kernel/fork.c): the task's mm with a reference (mm_users + 1), or null for a kernel thread or an exited task. Drop it with mmput. */
export declare function get_task_mm(task: task_struct): mm_struct | null;
/** mmput(mm): drops the reference; the last one tears the address space down. */
export declare function mmput(mm: mm_struct): void;
/**
 * access_process_vm(tsk, addr, buf, len, gup_flags) (mm/memory.c): reads len
 * bytes of tsk's memory at addr into buf, or writes buf there with
 * FOLL_WRITE, faulting pages in. Returns the bytes transferred (fewer at a
 * hole; 0 if none).
 */
export declare function access_process_vm(tsk: task_struct, addr: bigint, buf: Uint8Array, len: number | bigint, gup_flags: number): number;
/**
 * get_user_pages_remote(mm, start, nr_pages, gup_flags, pages) (mm/gup.c):
 * faults in nr_pages pages from start (writable ones with FOLL_WRITE: a
 * copy-on-write page is copied first) and, when pages is given, takes a
 * reference on each and stores its struct page * in pages[i] (with pages
 * null the pages are only faulted in: no reference, as Linux). Returns the
 * number of pages pinned (fewer at a hole), or -EFAULT if not even the first
 * could be had. Release each page of pages with put_page.
 */
export declare function get_user_pages_remote(mm: mm_struct, start: bigint, nr_pages: number, gup_flags: number, pages: bigint[] | null): number;
