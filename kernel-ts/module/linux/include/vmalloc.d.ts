// <linux/vmalloc.h>: virtually contiguous kernel memory (mm/vmalloc.c).
//
// Each page is its own order-0 frame (not physically contiguous), mapped at
// the first free range of the vmalloc area (VMALLOC_START...) and followed
// by an unmapped guard page. vfree clears the PTEs at once but purges the
// TLB lazily (vmap_lazy_nr), as Linux does.
import type { page_ptr, pfn_t, size_t, ulong } from './types';

/** Linux vmalloc(): size bytes (rounded up to pages) of zeroed frames mapped PAGE_KERNEL; the address, or 0n (NULL) for size 0 or no memory. */
export function vmalloc(size: size_t): ulong;
/** Linux vzalloc(): vmalloc, zeroed. */
export function vzalloc(size: size_t): ulong;
/** Linux vmalloc_user(): zeroed, for remap_vmalloc_range into user space. */
export function vmalloc_user(size: size_t): ulong;
/**
 * Linux vfree(): unmaps and frees an area vmalloc returned. 0n is ignored;
 * an address vmalloc did not return WARNs as Linux does
 * (`Trying to vfree() nonexistent vm area (...)`) and frees nothing.
 */
export function vfree(addr: ulong): void;
/** Linux is_vmalloc_addr(): VMALLOC_START <= addr < VMALLOC_END. */
export function is_vmalloc_addr(addr: ulong): boolean;
/** Linux vmalloc_to_page(): the struct page mapped at a vmalloc (or any kernel) address, by a walk of the kernel page tables (pgd_offset_k); 0n if unmapped. */
export function vmalloc_to_page(addr: ulong): page_ptr;
/** Linux vmalloc_to_pfn(): page_to_pfn(vmalloc_to_page(addr)); 0n if unmapped. */
export function vmalloc_to_pfn(addr: ulong): pfn_t;
