// <linux/mm.h>, <linux/gfp.h> and <asm/page.h>: pages and the direct map.
//
// A `struct page *` is its address in the vmemmap array, as on x86-64:
// VMEMMAP_START + pfn * 64 (sizeof(struct page)); NULL is 0n. The constants
// that depend on the paging mode (PAGE_OFFSET, VMALLOC_START, VMEMMAP_START,
// PGDIR_SHIFT, PTRS_PER_P4D) have the running kernel's values.
import type { gfp_t, page_ptr, pfn_t, phys_addr_t, ulong } from './types';

/** 12n: log2 of the base page (arch/x86/include/asm/page_types.h). */
export const PAGE_SHIFT: bigint;
/** 4096n. */
export const PAGE_SIZE: bigint;
/** ~(PAGE_SIZE - 1) as a 64-bit value: 0xfffffffffffff000n. */
export const PAGE_MASK: bigint;
/** 21n: a PMD entry maps 2 MiB (arch/x86/include/asm/pgtable_64_types.h). */
export const PMD_SHIFT: bigint;
/** 0x200000n (2 MiB). */
export const PMD_SIZE: bigint;
/** ~(PMD_SIZE - 1), 64-bit. */
export const PMD_MASK: bigint;
/** 30n: a PUD entry maps 1 GiB. */
export const PUD_SHIFT: bigint;
/** 0x40000000n (1 GiB). */
export const PUD_SIZE: bigint;
/** ~(PUD_SIZE - 1), 64-bit. */
export const PUD_MASK: bigint;
/** 39n: a P4D entry maps 512 GiB (with 4-level paging the p4d is folded into the pgd). */
export const P4D_SHIFT: bigint;
/** 39n with 4-level paging, 48n with 5-level (Linux's pgdir_shift). */
export const PGDIR_SHIFT: bigint;
/** Entries per table: 512n, except PTRS_PER_P4D (1n when the p4d is folded, 4-level). */
export const PTRS_PER_PGD: bigint;
export const PTRS_PER_P4D: bigint;
export const PTRS_PER_PUD: bigint;
export const PTRS_PER_PMD: bigint;
export const PTRS_PER_PTE: bigint;
/** The direct map's base: 0xffff888000000000n (4-level), 0xff11000000000000n (5-level) (page_offset_base). */
export const PAGE_OFFSET: bigint;
/** The vmalloc area's base: 0xffffc90000000000n (4-level), 0xffa0000000000000n (5-level) (vmalloc_base). */
export const VMALLOC_START: bigint;
/** The vmalloc area's last byte, as Linux's (VMALLOC_START + 32 TiB - 1, or 12.5 PiB - 1 with 5-level); vmlab maps only the first 512 GiB of it. */
export const VMALLOC_END: bigint;
/** The struct page array: 0xffffea0000000000n (4-level), 0xffd4000000000000n (5-level) (vmemmap_base). */
export const VMEMMAP_START: bigint;
/** Linux MAX_PAGE_ORDER (formerly MAX_ORDER): 10; alloc_pages refuses higher orders. */
export const MAX_PAGE_ORDER: number;

/** Linux PAGE_ALIGN(): x rounded up to a page (modulo 2^64). */
export function PAGE_ALIGN(x: ulong | number): ulong;
/** Linux PFN_PHYS(): pfn << PAGE_SHIFT. */
export function PFN_PHYS(pfn: pfn_t): phys_addr_t;
/** Linux PHYS_PFN(): pa >> PAGE_SHIFT. */
export function PHYS_PFN(pa: phys_addr_t): pfn_t;
/** Linux get_order(): the smallest order with PAGE_SIZE << order >= size (size >= 1). */
export function get_order(size: number | bigint): number;

/**
 * Linux alloc_pages() (mm/page_alloc.c __alloc_pages): 2^order physically
 * contiguous frames from the buddy allocator (order > 0: a compound page),
 * refcount 1; zeroed with __GFP_ZERO. Returns the head's struct page, or 0n
 * (NULL) when memory runs out or order > MAX_PAGE_ORDER (Linux WARNs then).
 * Recorded for the kmemleak report at rmmod until freed.
 */
export function alloc_pages(gfp_mask: gfp_t, order: number): page_ptr;
/** Linux alloc_page(): alloc_pages(gfp_mask, 0). */
export function alloc_page(gfp_mask: gfp_t): page_ptr;
/**
 * Linux __free_pages() (mm/page_alloc.c): drops the allocation's reference;
 * the block returns to the buddy allocator when no get_page reference is
 * left. A wrong order, a tail page or a double free is a BUG (an oops of the call).
 */
export function __free_pages(page: page_ptr, order: number): void;
/** Linux __free_page(): __free_pages(page, 0). */
export function __free_page(page: page_ptr): void;
/** Linux __get_free_pages(): alloc_pages, then its direct-map address (0n on failure). */
export function __get_free_pages(gfp_mask: gfp_t, order: number): ulong;
/** Linux __get_free_page(): __get_free_pages(gfp_mask, 0). */
export function __get_free_page(gfp_mask: gfp_t): ulong;
/** Linux get_zeroed_page(): one zeroed page's direct-map address, or 0n. */
export function get_zeroed_page(gfp_mask: gfp_t): ulong;
/** Linux free_pages(): __free_pages(virt_to_page(addr), order); addr 0n is ignored. */
export function free_pages(addr: ulong, order: number): void;
/** Linux free_page(): free_pages(addr, 0). */
export function free_page(addr: ulong): void;

/** Linux page_to_pfn() (SPARSEMEM_VMEMMAP): (page - vmemmap) / sizeof(struct page). */
export function page_to_pfn(page: page_ptr): pfn_t;
/** Linux pfn_to_page(): vmemmap + pfn. */
export function pfn_to_page(pfn: pfn_t): page_ptr;
/** Linux page_to_phys(): page_to_pfn(page) << PAGE_SHIFT. */
export function page_to_phys(page: page_ptr): phys_addr_t;
/** Linux page_address(): the page's direct-map address, __va(page_to_phys(page)). */
export function page_address(page: page_ptr): ulong;
/** Linux virt_to_page(): pfn_to_page(__pa(kaddr) >> PAGE_SHIFT); right for direct-map addresses only (not vmalloc: use vmalloc_to_page). */
export function virt_to_page(kaddr: ulong): page_ptr;
/** Linux virt_to_pfn(): __pa(kaddr) >> PAGE_SHIFT. */
export function virt_to_pfn(kaddr: ulong): pfn_t;
/**
 * Linux virt_to_phys() / __pa() (arch/x86/include/asm/io.h, __phys_addr):
 * x - PAGE_OFFSET modulo 2^64. Right for the direct map (kmalloc,
 * page_address); for a vmalloc address the result is no physical address at
 * all, as on Linux without CONFIG_DEBUG_VIRTUAL.
 */
export function virt_to_phys(address: ulong): phys_addr_t;
/** Linux phys_to_virt() / __va(): PAGE_OFFSET + pa. */
export function phys_to_virt(address: phys_addr_t): ulong;
/** Linux __pa(). */
export function __pa(x: ulong): phys_addr_t;
/** Linux __va(). */
export function __va(x: phys_addr_t): ulong;
/** Linux pfn_valid(): pfn names a frame of RAM (one with a struct page). */
export function pfn_valid(pfn: pfn_t): boolean;
/** Linux virt_addr_valid(): kaddr is a direct-map address of RAM. */
export function virt_addr_valid(kaddr: ulong): boolean;

/** Linux get_page(): one more reference on the (compound) page; on a free page it is a BUG. */
export function get_page(page: page_ptr): void;
/** Linux put_page(): drops a reference; the last one frees the (compound) page. */
export function put_page(page: page_ptr): void;
/** Linux page_count(): the head page's _refcount. */
export function page_count(page: page_ptr): number;
/** Linux page_ref_count(): this page's own _refcount. */
export function page_ref_count(page: page_ptr): number;
/** Linux page_mapcount(): how many page-table entries map the page (_mapcount + 1). */
export function page_mapcount(page: page_ptr): number;
/** Linux compound_head(): the head page of the compound page holding page (page itself if none). */
export function compound_head(page: page_ptr): page_ptr;
/** Linux compound_order(): the order of a compound head page, 0 otherwise. */
export function compound_order(page: page_ptr): number;
/** Linux PageCompound(): a head or tail page of a compound page. */
export function PageCompound(page: page_ptr): boolean;
/** Linux PageHead(). */
export function PageHead(page: page_ptr): boolean;
/** Linux PageTail(). */
export function PageTail(page: page_ptr): boolean;
/** Linux PageTransHuge(): the head of a 2 MiB (HPAGE_PMD_ORDER) compound page. */
export function PageTransHuge(page: page_ptr): boolean;
/** Linux PageHuge(): a hugetlbfs page. vmlab has no hugetlbfs, so always false (transparent huge pages are PageTransHuge). */
export function PageHuge(page: page_ptr): boolean;
/** Linux PageAnon(): an anonymous page of a user mapping. */
export function PageAnon(page: page_ptr): boolean;
/** Linux PageSlab(): a page of the slab allocator. */
export function PageSlab(page: page_ptr): boolean;
/** Linux PageReserved(): a frame the allocator never hands out (the first MiB). */
export function PageReserved(page: page_ptr): boolean;
/** Linux PageBuddy(): a free block's first page in the buddy allocator. */
export function PageBuddy(page: page_ptr): boolean;

/** Linux copy_page() (arch/x86/lib/copy_page_64.S): 4096 bytes from the page at from to the page at to (kernel addresses, through the MMU; a fault oopses). */
export function copy_page(to: ulong, from: ulong): void;
/** Linux clear_page(): 4096 zero bytes at the page-aligned kernel address page. */
export function clear_page(page: ulong): void;
/** Linux copy_highpage(): copy_page between the two pages' direct-map addresses. */
export function copy_highpage(to: page_ptr, from: page_ptr): void;
/** Linux clear_highpage(). */
export function clear_highpage(page: page_ptr): void;
