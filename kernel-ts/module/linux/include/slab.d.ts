// <linux/slab.h> and <linux/gfp_types.h>: kmalloc and the GFP flags.
//
// Pointers are kernel virtual addresses (bigint) in the direct map:
// kmalloc(16, GFP_KERNEL) is 0xffff888...n, virt_to_phys of it its physical
// address. NULL is 0n, ZERO_SIZE_PTR 16n, as in Linux. What a module
// allocates and does not free is reported at rmmod (kmemleak) and freed.
import type { gfp_t, size_t, ulong } from './types';

/** GFP bits with Linux's values (include/linux/gfp_types.h, Linux 6.1). */
export const __GFP_DMA: gfp_t;
export const __GFP_HIGHMEM: gfp_t;
export const __GFP_DMA32: gfp_t;
export const __GFP_MOVABLE: gfp_t;
export const __GFP_RECLAIMABLE: gfp_t;
export const __GFP_HIGH: gfp_t;
export const __GFP_IO: gfp_t;
export const __GFP_FS: gfp_t;
export const __GFP_ZERO: gfp_t;
export const __GFP_ATOMIC: gfp_t;
export const __GFP_DIRECT_RECLAIM: gfp_t;
export const __GFP_KSWAPD_RECLAIM: gfp_t;
export const __GFP_RECLAIM: gfp_t;
export const __GFP_NOWARN: gfp_t;
export const __GFP_RETRY_MAYFAIL: gfp_t;
export const __GFP_NOFAIL: gfp_t;
export const __GFP_NORETRY: gfp_t;
export const __GFP_COMP: gfp_t;
export const __GFP_HARDWALL: gfp_t;
export const __GFP_ACCOUNT: gfp_t;
/** 0xcc0: __GFP_RECLAIM | __GFP_IO | __GFP_FS. */
export const GFP_KERNEL: gfp_t;
/** 0x400cc0: GFP_KERNEL | __GFP_ACCOUNT. */
export const GFP_KERNEL_ACCOUNT: gfp_t;
/** 0xa20: __GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM (no sleeping). */
export const GFP_ATOMIC: gfp_t;
/** 0x800: __GFP_KSWAPD_RECLAIM. */
export const GFP_NOWAIT: gfp_t;
/** 0xc00: __GFP_RECLAIM. */
export const GFP_NOIO: gfp_t;
/** 0xc40: __GFP_RECLAIM | __GFP_IO. */
export const GFP_NOFS: gfp_t;
/** 0x100cc0: GFP_KERNEL | __GFP_HARDWALL. */
export const GFP_USER: gfp_t;
/** 0x100cc2: GFP_USER | __GFP_HIGHMEM. */
export const GFP_HIGHUSER: gfp_t;
/** 0x100cca: GFP_HIGHUSER | __GFP_MOVABLE. */
export const GFP_HIGHUSER_MOVABLE: gfp_t;
/** __GFP_DMA: memory below 16 MiB (ZONE_DMA). */
export const GFP_DMA: gfp_t;
/** __GFP_DMA32: memory below 4 GiB (ZONE_DMA32). */
export const GFP_DMA32: gfp_t;

/** 16n: what kmalloc(0) returns; kfree ignores it; any access to it faults. */
export const ZERO_SIZE_PTR: bigint;
/** The largest kmalloc served by a slab cache (2 pages); larger requests take whole pages (kmalloc_large). */
export const KMALLOC_MAX_CACHE_SIZE: number;
/** The largest kmalloc at all: PAGE_SIZE << MAX_PAGE_ORDER (4 MiB). */
export const KMALLOC_MAX_SIZE: number;

/**
 * Linux kmalloc() (mm/slab_common.c, SLUB): at least size bytes from the
 * kmalloc-N cache that fits (8 .. 8192), or whole pages above
 * KMALLOC_MAX_CACHE_SIZE; zeroed with __GFP_ZERO. Returns the kernel
 * address, ZERO_SIZE_PTR for size 0, or 0n (NULL) when memory runs out or
 * size > KMALLOC_MAX_SIZE.
 */
export function kmalloc(size: size_t, flags: gfp_t): ulong;
/** Linux kzalloc(): kmalloc(size, flags | __GFP_ZERO). */
export function kzalloc(size: size_t, flags: gfp_t): ulong;
/** Linux kmalloc_array(): kmalloc(n * size), 0n if the product overflows size_t. */
export function kmalloc_array(n: size_t, size: size_t, flags: gfp_t): ulong;
/** Linux kcalloc(): kmalloc_array(n, size, flags | __GFP_ZERO). */
export function kcalloc(n: size_t, size: size_t, flags: gfp_t): ulong;
/**
 * Linux krealloc() (mm/slab_common.c): the object resized to new_size. The
 * same address when ksize(p) already covers new_size, else a new object
 * with the old contents (min of both sizes), the old one freed. p 0n is
 * kmalloc; new_size 0 frees p and returns ZERO_SIZE_PTR; 0n on failure (p untouched).
 */
export function krealloc(p: ulong, new_size: size_t, flags: gfp_t): ulong;
/**
 * Linux kfree(): releases an object from kmalloc. NULL and ZERO_SIZE_PTR
 * are ignored; any other pointer kmalloc did not return (or a double free)
 * is a BUG: an oops of the call naming kfree.
 */
export function kfree(objp: ulong): void;
/** Linux kfree_sensitive(): zeroes the object (ksize bytes), then kfree. */
export function kfree_sensitive(objp: ulong): void;
/** Linux ksize(): the usable size of a live kmalloc object (its cache's object size). */
export function ksize(objp: ulong): number;
/** Linux kvmalloc() (mm/util.c kvmalloc_node): kmalloc when it succeeds (up to KMALLOC_MAX_SIZE), else vmalloc. */
export function kvmalloc(size: size_t, flags: gfp_t): ulong;
/** Linux kvzalloc(). */
export function kvzalloc(size: size_t, flags: gfp_t): ulong;
/** Linux kvfree(): vfree for a vmalloc address, else kfree. */
export function kvfree(addr: ulong): void;
