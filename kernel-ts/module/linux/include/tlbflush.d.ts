// <asm/tlbflush.h>: invalidating the TLB after a change of present entries
// (arch/x86/mm/tlb.c), on vmlab's TLB model with PCIDs: the loaded mm's
// entries go with INVLPG, another mm's with INVPCID on its PCID; above
// tlb_single_page_flush_ceiling (33) pages a range flush drops the whole
// PCID (the whole TLB for kernel ranges). Each flush emits the
// tlb:tlb_flush tracepoint as Linux's does.
import type { mm_struct, vm_area_struct } from './mm_types';
import type { ulong } from './types';

/** Linux tlb_single_page_flush_ceiling: 33. */
export const tlb_single_page_flush_ceiling: number;
/** Linux flush_tlb_page(): the translation of one page of vma's mm. */
export function flush_tlb_page(vma: vm_area_struct, addr: ulong): void;
/** Linux flush_tlb_range(): the pages of [start, end) of vma's mm (the whole PCID past the ceiling). */
export function flush_tlb_range(vma: vm_area_struct, start: ulong, end: ulong): void;
/** Linux flush_tlb_mm(): every non-global translation of mm (INVPCID single-context). */
export function flush_tlb_mm(mm: mm_struct): void;
/** Linux flush_tlb_all(): every translation, global ones too (INVPCID all-context). */
export function flush_tlb_all(): void;
/** Linux flush_tlb_kernel_range(): kernel (global) translations of [start, end), page by page up to the ceiling, else flush_tlb_all. */
export function flush_tlb_kernel_range(start: ulong, end: ulong): void;
/** Linux flush_tlb_one_kernel(): one kernel page. */
export function flush_tlb_one_kernel(addr: ulong): void;
