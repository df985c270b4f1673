// <linux/huge_mm.h> and the core-mm operations on VMAs a module may call
// (mm/huge_memory.c, mm/khugepaged.c, mm/mremap.c, mm/mmap.c): transparent
// huge pages of anonymous memory made and broken, a VMA moved or split.
// These are the btplus lab's tools (move a VMA, promote and demote 2 MiB
// pages, compact); every one keeps the kernel's own bookkeeping (page
// counts, page-table accounting, the TLB) right, which raw set_pte_at does not.
import type { mm_struct, vm_area_struct } from './mm_types';
import type { pmd_ptr, ulong } from './types';

/** 21n: a PMD-mapped huge page is 2 MiB. */
export const HPAGE_PMD_SHIFT: bigint;
/** 9: its order. */
export const HPAGE_PMD_ORDER: number;
/** 512: base pages in it. */
export const HPAGE_PMD_NR: number;
/** 0x200000n. */
export const HPAGE_PMD_SIZE: bigint;
/** ~(HPAGE_PMD_SIZE - 1), 64-bit. */
export const HPAGE_PMD_MASK: bigint;

/**
 * Linux transhuge_vma_suitable() (include/linux/huge_mm.h, 5.x-6.7; later
 * thp_vma_suitable_order): the 2 MiB-aligned range holding addr lies wholly
 * inside vma.
 */
export function transhuge_vma_suitable(vma: vm_area_struct, addr: ulong): boolean;

/**
 * Linux split_huge_pmd() (mm/huge_memory.c __split_huge_pmd): when *pmd maps
 * a 2 MiB page (pmd_trans_huge), a new PTE table maps the same 512 frames
 * with the PMD's rights, the compound page becomes 512 pages with a
 * reference and a mapping each, *pmd points to the table and the huge
 * translation is flushed. address is any address in the huge page. A PMD
 * that is no huge page is left alone. Returns 0, or -ENOMEM when no page
 * table can be allocated (Linux preallocates it and cannot fail; nothing
 * changed then).
 */
export function split_huge_pmd(vma: vm_area_struct, pmd: pmd_ptr, address: ulong): number;
/** Linux split_huge_pmd_address(): split_huge_pmd of the PMD mapping address in vma's mm, if any. 0 or -ENOMEM. */
export function split_huge_pmd_address(vma: vm_area_struct, address: ulong): number;

/**
 * khugepaged's collapse_huge_page() (mm/khugepaged.c; static there, the
 * function behind MADV_COLLAPSE and the khugepaged scan): the 2 MiB range at
 * address (HPAGE_PMD_SIZE aligned) of mm, when one private anonymous VMA
 * covers it and its 512 PTEs all map present, exclusive, unshared pages,
 * is copied into a new order-9 page mapped by one PMD leaf (_PAGE_PSE, the
 * VMA's rights, accessed/dirty if any piece was); the old pages and the PTE
 * table are freed and the range is flushed from the TLB; /proc/vmstat's
 * thp_collapse_alloc counts it. Returns 0; -EINVAL when address is not
 * aligned or no suitable VMA covers the range; -EAGAIN when the range cannot
 * be collapsed now (a page missing or shared, already huge, or no free 2 MiB block).
 */
export function collapse_huge_page(mm: mm_struct, address: ulong): number;

/**
 * A VMA moved whole to new_addr, as mremap(MREMAP_FIXED) moves it (Linux
 * move_vma() in mm/mremap.c, static there: this is its whole-VMA case): the
 * page-table entries move (move_page_tables; the frames stay, nothing is
 * copied, huge PMDs are split first), the old range is unmapped and its
 * empty tables freed, the TLB flushed; the vma_move hook points run around
 * it. The view vma is of the old VMA afterwards: look the new one up with
 * find_vma(mm, new_addr). Returns 0; -EINVAL for new_addr not page aligned,
 * past TASK_SIZE or overlapping the VMA; -ENOMEM when [new_addr, +size) is
 * not free or page tables cannot be allocated (nothing moved).
 */
export function move_vma(vma: vm_area_struct, new_addr: ulong): number;

/**
 * Linux split_vma() (mm/mmap.c; 6.x takes a vma_iterator, 6.2 and older
 * the mm): cuts vma at addr into two VMAs, [vm_start, addr) and [addr,
 * vm_end), with vm_pgoff advanced for the upper one; a huge page that addr
 * cuts is split first (vma_adjust_trans_huge). The view vma keeps the lower
 * part whatever new_below says (vmlab's __split_vma always makes the upper
 * one new): find the other with find_vma. Returns 0; -EINVAL when addr is
 * not page aligned or not strictly inside vma; -ENOMEM at vm.max_map_count.
 */
export function split_vma(vma: vm_area_struct, addr: ulong, new_below: number): number;
