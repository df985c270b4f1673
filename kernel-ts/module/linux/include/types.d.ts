// The C types of the surface, as TypeScript sees them (include/linux/types.h).
//
// One representation for every 64-bit quantity: bigint. Kernel and user
// virtual addresses, physical addresses, pointers (a `struct page *` is its
// address in the vmemmap array, a `pte_t *` the kernel address of the entry
// through the direct map), page-table entry values, pfns, vm_flags, pgprot
// and loff_t are bigint, in arguments and results alike. Sizes and counts in
// arguments take number | bigint (kmalloc(16, GFP_KERNEL) and
// kmalloc(PAGE_SIZE, ...) both read as in C); C ints (0 / -errno results,
// gfp_t, whence, pid_t) are number.

/** unsigned long, u64, a pointer: 64 bits. */
export type ulong = bigint;
/** size_t in an argument. */
export type size_t = number | bigint;
/** phys_addr_t: a physical address. */
export type phys_addr_t = bigint;
/** A page frame number: the physical address >> PAGE_SHIFT. */
export type pfn_t = bigint;
/** gfp_t: GFP_* allocation flags (<linux/slab.h>). */
export type gfp_t = number;
/** pid_t: a process id. */
export type pid_t = number;
/** loff_t: a file position (a read's or write's *ppos, lseek's offset). */
export type loff_t = bigint;
/** Page-table entry values (pgdval_t, p4dval_t, pudval_t, pmdval_t, pteval_t) and pgprot_t. */
export type pgd_t = bigint;
export type p4d_t = bigint;
export type pud_t = bigint;
export type pmd_t = bigint;
export type pte_t = bigint;
export type pgprot_t = bigint;
/** Kernel addresses of entries (pgd_t *, p4d_t *, pud_t *, pmd_t *, pte_t *). */
export type pgd_ptr = bigint;
export type p4d_ptr = bigint;
export type pud_ptr = bigint;
export type pmd_ptr = bigint;
export type pte_ptr = bigint;
/** struct page *: the page's address in the vmemmap array (0 for NULL). */
export type page_ptr = bigint;
/** A __user pointer. */
export type user_ptr = bigint;
