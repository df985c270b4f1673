// <linux/pgtable.h> and arch/x86/include/asm/pgtable*.h: the page tables in
// guest RAM, walked and changed as Linux code does.
//
// Pointers to entries (pgd_t * ... pte_t *) are kernel addresses through
// the direct map: pgd_offset(mm, addr) is mm->pgd + pgd_index(addr) * 8 and
// points into the real top-level table. C's `*pte` is ptep_get(pte) (a
// kernel load through the MMU: a bad pointer oopses); the predicates and
// accessors take the entry value (bigint). With 4-level paging the p4d is
// folded into the pgd as in Linux: p4d_offset returns the pgd pointer,
// pgd_none/pgd_bad are always false and pgd_present always true.
//
// set_pte_at and its kin write the entry and do not flush the TLB, as in
// Linux: after changing a present entry call flush_tlb_page/_range
// (<asm/tlbflush.h>), or the CPU may go on using the old translation. They
// do not adjust page reference or map counts either (Linux's callers do:
// get_page, page_add_*_rmap); the kernel's own teardown of an address space
// assumes the counts match its entries.
import type { mm_struct, vm_area_struct } from './mm_types';
import type { page_ptr, pfn_t, pgd_ptr, pgd_t, pgprot_t, p4d_ptr, p4d_t, pmd_ptr, pmd_t, pte_ptr, pte_t, pud_ptr, pud_t, ulong } from './types';

/** Entry bits, x86 names (arch/x86/include/asm/pgtable_types.h). */
export const _PAGE_PRESENT: bigint;
export const _PAGE_RW: bigint;
export const _PAGE_USER: bigint;
export const _PAGE_PWT: bigint;
export const _PAGE_PCD: bigint;
export const _PAGE_ACCESSED: bigint;
export const _PAGE_DIRTY: bigint;
/** Bit 7: a large page in a PUD or PMD entry. */
export const _PAGE_PSE: bigint;
/** Bit 7 of a PTE. */
export const _PAGE_PAT: bigint;
/** Bit 8: a global translation (kept in the TLB across CR3 loads). */
export const _PAGE_GLOBAL: bigint;
/** Bit 12 of a large (PSE) entry. */
export const _PAGE_PAT_LARGE: bigint;
/** Bit 63: execute disable. */
export const _PAGE_NX: bigint;
/** A PROT_NONE entry: _PAGE_GLOBAL with _PAGE_PRESENT clear (pte_present is still true). */
export const _PAGE_PROTNONE: bigint;
/** Bits 51:12 of an entry: the frame. */
export const PTE_PFN_MASK: bigint;
/** Everything but the frame (pte_flags). */
export const PTE_FLAGS_MASK: bigint;
/** The flags of a user page-table entry: P|RW|USER|A|D (0x67n). */
export const _PAGE_TABLE: bigint;
/** Of a kernel page-table entry: P|RW|A|D (0x63n). */
export const _KERNPG_TABLE: bigint;
/** 0x8000000000000163n: P|RW|A|D|G|NX. */
export const PAGE_KERNEL: pgprot_t;
/** 0x8000000000000161n. */
export const PAGE_KERNEL_RO: pgprot_t;
/** 0x163n. */
export const PAGE_KERNEL_EXEC: pgprot_t;
/** 0x80000000000001e3n: PAGE_KERNEL | _PAGE_PSE. */
export const PAGE_KERNEL_LARGE: pgprot_t;
/** 0x120n: _PAGE_PROTNONE | _PAGE_ACCESSED. */
export const PAGE_NONE: pgprot_t;
/** 0x8000000000000027n: P|RW|USER|A|NX. */
export const PAGE_SHARED: pgprot_t;
/** PAGE_SHARED without _PAGE_NX. */
export const PAGE_SHARED_EXEC: pgprot_t;
/** 0x8000000000000025n: P|USER|A|NX (also PAGE_COPY). */
export const PAGE_READONLY: pgprot_t;
/** PAGE_READONLY without _PAGE_NX. */
export const PAGE_READONLY_EXEC: pgprot_t;
/** PAGE_READONLY: a private writable mapping starts read-only (copy-on-write). */
export const PAGE_COPY: pgprot_t;

/** Linux pgtable_l5_enabled(): the kernel runs with 5-level paging (CR4.LA57). */
export function pgtable_l5_enabled(): boolean;
/**
 * Linux pgd_index() .. pte_index(): the entry's index (0..511) in its table for address.
 * p4d_index is (address >> P4D_SHIFT) & (PTRS_PER_P4D - 1): always 0 with 4-level paging (the p4d is folded).
 */
export function pgd_index(address: ulong): number;
export function p4d_index(address: ulong): number;
export function pud_index(address: ulong): number;
export function pmd_index(address: ulong): number;
export function pte_index(address: ulong): number;

/** Linux pgd_offset(): mm->pgd + pgd_index(address) (the top-level entry; PML4E, or PML5E with 5-level paging). */
export function pgd_offset(mm: mm_struct, address: ulong): pgd_ptr;
/** Linux pgd_offset_k(): the entry in init_mm's table, swapper_pg_dir (kernel addresses). */
export function pgd_offset_k(address: ulong): pgd_ptr;
/** Linux p4d_offset(): with 4-level paging the pgd pointer itself (folded); else into the table *pgd points to. Reads *pgd through the MMU. */
export function p4d_offset(pgd: pgd_ptr, address: ulong): p4d_ptr;
/** Linux pud_offset(): p4d_pgtable(*p4d) + pud_index(address). Like Linux, it does not check *p4d: test p4d_none/p4d_bad first. */
export function pud_offset(p4d: p4d_ptr, address: ulong): pud_ptr;
/** Linux pmd_offset(): pud_pgtable(*pud) + pmd_index(address). */
export function pmd_offset(pud: pud_ptr, address: ulong): pmd_ptr;
/** Linux pte_offset_kernel(): pmd_page_vaddr(*pmd) + pte_index(address). */
export function pte_offset_kernel(pmd: pmd_ptr, address: ulong): pte_ptr;
/** Linux pte_offset_map() (6.5+ __pte_offset_map): as pte_offset_kernel, but 0n (NULL) when *pmd is none, bad or a huge page. Pair with pte_unmap. */
export function pte_offset_map(pmd: pmd_ptr, address: ulong): pte_ptr;
/** Linux pte_unmap(): the end of a pte_offset_map (no kmap to undo on x86-64). */
export function pte_unmap(pte: pte_ptr): void;

/** Linux pgdp_get() .. ptep_get(): the entry at the pointer (READ_ONCE(*p)), a kernel load through the MMU. */
export function pgdp_get(pgdp: pgd_ptr): pgd_t;
export function p4dp_get(p4dp: p4d_ptr): p4d_t;
export function pudp_get(pudp: pud_ptr): pud_t;
export function pmdp_get(pmdp: pmd_ptr): pmd_t;
export function ptep_get(ptep: pte_ptr): pte_t;

/** Linux pgd_none(): always false with 4-level paging (folded); else the entry is 0. */
export function pgd_none(pgd: pgd_t): boolean;
/** Linux pgd_present(): always true with 4-level paging; else _PAGE_PRESENT. */
export function pgd_present(pgd: pgd_t): boolean;
/** Linux pgd_bad(): (flags & ~_PAGE_USER) != _KERNPG_TABLE with 5-level paging; false with 4. */
export function pgd_bad(pgd: pgd_t): boolean;
/** Linux p4d_none(): the entry is 0 (with 4-level paging it is the pgd entry). */
export function p4d_none(p4d: p4d_t): boolean;
/** Linux p4d_present(): _PAGE_PRESENT. */
export function p4d_present(p4d: p4d_t): boolean;
/** Linux p4d_bad(): flags other than _KERNPG_TABLE, _PAGE_USER (and _PAGE_NX) are set. */
export function p4d_bad(p4d: p4d_t): boolean;
/** Linux pud_none(): the entry is 0. */
export function pud_none(pud: pud_t): boolean;
/** Linux pud_present(): _PAGE_PRESENT. */
export function pud_present(pud: pud_t): boolean;
/** Linux pud_bad(): flags other than _KERNPG_TABLE | _PAGE_USER (a 1 GiB leaf is "bad": test pud_leaf first). */
export function pud_bad(pud: pud_t): boolean;
/** Linux pud_leaf() / pud_large(): present with _PAGE_PSE, a 1 GiB page. */
export function pud_leaf(pud: pud_t): boolean;
export function pud_large(pud: pud_t): boolean;
/** Linux pmd_none(): the entry is 0. */
export function pmd_none(pmd: pmd_t): boolean;
/** Linux pmd_present(): _PAGE_PRESENT, _PAGE_PROTNONE or _PAGE_PSE. */
export function pmd_present(pmd: pmd_t): boolean;
/** Linux pmd_bad(): (flags & ~(_PAGE_USER | _PAGE_ACCESSED)) != (_KERNPG_TABLE & ~_PAGE_ACCESSED); true for a huge PMD. */
export function pmd_bad(pmd: pmd_t): boolean;
/** Linux pmd_leaf() / pmd_large(): _PAGE_PSE, a 2 MiB page. */
export function pmd_leaf(pmd: pmd_t): boolean;
export function pmd_large(pmd: pmd_t): boolean;
/** Linux pmd_trans_huge(): a transparent huge page mapped by this PMD. */
export function pmd_trans_huge(pmd: pmd_t): boolean;
/** Linux pte_none(): the entry is 0. */
export function pte_none(pte: pte_t): boolean;
/** Linux pte_present(): _PAGE_PRESENT or _PAGE_PROTNONE. */
export function pte_present(pte: pte_t): boolean;

/** Linux pgd_val() .. pte_val(): the raw 64-bit value (identity here). */
export function pgd_val(pgd: pgd_t): bigint;
export function p4d_val(p4d: p4d_t): bigint;
export function pud_val(pud: pud_t): bigint;
export function pmd_val(pmd: pmd_t): bigint;
export function pte_val(pte: pte_t): bigint;
/** Linux __pte() .. __pgd(): an entry from a raw value. */
export function __pgd(val: bigint): pgd_t;
export function __p4d(val: bigint): p4d_t;
export function __pud(val: bigint): pud_t;
export function __pmd(val: bigint): pmd_t;
export function __pte(val: bigint): pte_t;
export function __pgprot(val: bigint): pgprot_t;
export function pgprot_val(prot: pgprot_t): bigint;
/**
 * vm_get_page_prot(vm_flags) (mm/mmap.c, x86's protection_map): the PTE
 * bits a VMA with these VM_* flags gives its pages: present, user, accessed,
 * RW for a shared writable one (a private one gets RW at its copy-on-write
 * fault), NX unless VM_EXEC; PROT_NONE's bits without VM_READ/WRITE/EXEC.
 */
export function vm_get_page_prot(vm_flags: ulong): pgprot_t;
/** pgprot_noncached(prot) (arch/x86/include/asm/pgtable_types.h): the cache mode UC- (_PAGE_PCD, the PAT index x86 Linux gives it), the other bits kept. */
export function pgprot_noncached(prot: pgprot_t): pgprot_t;
/** pgprot_writecombine(prot): the cache mode WC (_PAGE_PWT, x86 Linux's PAT entry 1), the other bits kept. */
export function pgprot_writecombine(prot: pgprot_t): pgprot_t;
/** Linux pte_flags() / pmd_flags() ...: the value without the frame bits. */
export function pte_flags(pte: pte_t): bigint;
export function pmd_flags(pmd: pmd_t): bigint;
export function pud_flags(pud: pud_t): bigint;
/** Linux pgd_pfn() .. pte_pfn(): the frame number; for a PSE leaf bit 12 (PAT) is not part of it. */
export function pgd_pfn(pgd: pgd_t): pfn_t;
export function p4d_pfn(p4d: p4d_t): pfn_t;
export function pud_pfn(pud: pud_t): pfn_t;
export function pmd_pfn(pmd: pmd_t): pfn_t;
export function pte_pfn(pte: pte_t): pfn_t;
/** Linux pud_page() / pmd_page() / pte_page(): the struct page of the frame (the head of a large leaf). */
export function pud_page(pud: pud_t): page_ptr;
export function pmd_page(pmd: pmd_t): page_ptr;
export function pte_page(pte: pte_t): page_ptr;
/** Linux pgd_page_vaddr() / p4d_pgtable() / pud_pgtable() / pmd_page_vaddr(): the direct-map address of the next table. */
export function pgd_page_vaddr(pgd: pgd_t): ulong;
export function p4d_pgtable(p4d: p4d_t): ulong;
export function pud_pgtable(pud: pud_t): ulong;
export function pmd_page_vaddr(pmd: pmd_t): ulong;
/** The names older kernels (and the labs' modules) use: p4d_page_vaddr, pud_page_vaddr. */
export function p4d_page_vaddr(p4d: p4d_t): ulong;
export function pud_page_vaddr(pud: pud_t): ulong;

/** Linux pte_write() .. pte_special(): one bit of the entry. pte_exec is !_PAGE_NX. */
export function pte_write(pte: pte_t): boolean;
export function pte_dirty(pte: pte_t): boolean;
export function pte_young(pte: pte_t): boolean;
export function pte_exec(pte: pte_t): boolean;
export function pte_global(pte: pte_t): boolean;
export function pte_user(pte: pte_t): boolean;
export function pmd_write(pmd: pmd_t): boolean;
export function pmd_dirty(pmd: pmd_t): boolean;
export function pmd_young(pmd: pmd_t): boolean;
/** Linux pte_mkwrite() (6.6 takes the vma; ignored) .. pte_mknexec(): the entry with one bit set or cleared. */
export function pte_mkwrite(pte: pte_t, vma?: vm_area_struct): pte_t;
export function pte_wrprotect(pte: pte_t): pte_t;
export function pte_mkdirty(pte: pte_t): pte_t;
export function pte_mkclean(pte: pte_t): pte_t;
export function pte_mkyoung(pte: pte_t): pte_t;
export function pte_mkold(pte: pte_t): pte_t;
export function pte_mkexec(pte: pte_t): pte_t;
export function pte_mkglobal(pte: pte_t): pte_t;
export function pte_clrglobal(pte: pte_t): pte_t;
/** Linux pte_modify(): the frame (and dirty/accessed bits) of pte with newprot's other flags. */
export function pte_modify(pte: pte_t, newprot: pgprot_t): pte_t;
/** Linux pmd_mkwrite() .. pmd_mkold(): the PMD entry with one bit set or cleared. */
export function pmd_mkwrite(pmd: pmd_t, vma?: vm_area_struct): pmd_t;
export function pmd_wrprotect(pmd: pmd_t): pmd_t;
export function pmd_mkdirty(pmd: pmd_t): pmd_t;
export function pmd_mkyoung(pmd: pmd_t): pmd_t;
export function pmd_mkold(pmd: pmd_t): pmd_t;
/** Linux pmd_mkhuge(): sets _PAGE_PSE. */
export function pmd_mkhuge(pmd: pmd_t): pmd_t;
/** Linux pte_pgprot(): the protection bits of an entry. */
export function pte_pgprot(pte: pte_t): pgprot_t;

/** Linux pfn_pte(): an entry mapping frame pfn with pgprot. */
export function pfn_pte(pfn: pfn_t, pgprot: pgprot_t): pte_t;
/** Linux pfn_pmd(): a PMD entry (add _PAGE_PSE, or use pmd_mkhuge, for a 2 MiB leaf). */
export function pfn_pmd(pfn: pfn_t, pgprot: pgprot_t): pmd_t;
/** Linux pfn_pud(): a PUD entry (add _PAGE_PSE for a 1 GiB leaf). */
export function pfn_pud(pfn: pfn_t, pgprot: pgprot_t): pud_t;
/** Linux mk_pte(): pfn_pte(page_to_pfn(page), pgprot). */
export function mk_pte(page: page_ptr, pgprot: pgprot_t): pte_t;
/** Linux mk_pmd() / mk_huge_pmd(): pfn_pmd(page_to_pfn(page), pgprot); mk_huge_pmd adds _PAGE_PSE. */
export function mk_pmd(page: page_ptr, pgprot: pgprot_t): pmd_t;
export function mk_huge_pmd(page: page_ptr, pgprot: pgprot_t): pmd_t;

/** Linux set_pte_at(): *ptep = pte in mm at addr (a kernel store through the MMU). No TLB flush. */
export function set_pte_at(mm: mm_struct, addr: ulong, ptep: pte_ptr, pte: pte_t): void;
/** Linux set_pte(): *ptep = pte (kernel tables). No TLB flush. */
export function set_pte(ptep: pte_ptr, pte: pte_t): void;
/** Linux pte_clear(): *ptep = 0. No TLB flush. */
export function pte_clear(mm: mm_struct, addr: ulong, ptep: pte_ptr): void;
/** Linux ptep_get_and_clear(): the old entry, and *ptep = 0. No TLB flush. */
export function ptep_get_and_clear(mm: mm_struct, addr: ulong, ptep: pte_ptr): pte_t;
/** Linux ptep_set_wrprotect(): clears _PAGE_RW in *ptep. No TLB flush. */
export function ptep_set_wrprotect(mm: mm_struct, addr: ulong, ptep: pte_ptr): void;
/** Linux ptep_test_and_clear_young(): whether _PAGE_ACCESSED was set; clears it. No TLB flush. */
export function ptep_test_and_clear_young(vma: vm_area_struct, addr: ulong, ptep: pte_ptr): boolean;
/** Linux set_pmd_at(): *pmdp = pmd (a 2 MiB leaf, or a table). No TLB flush. */
export function set_pmd_at(mm: mm_struct, addr: ulong, pmdp: pmd_ptr, pmd: pmd_t): void;
/** Linux set_pmd() / set_pud() / set_p4d() / set_pgd(): a plain entry store. No TLB flush. */
export function set_pmd(pmdp: pmd_ptr, pmd: pmd_t): void;
export function set_pud(pudp: pud_ptr, pud: pud_t): void;
export function set_p4d(p4dp: p4d_ptr, p4d: p4d_t): void;
export function set_pgd(pgdp: pgd_ptr, pgd: pgd_t): void;
/** Linux pmd_clear() / pud_clear(). */
export function pmd_clear(pmdp: pmd_ptr): void;
export function pud_clear(pudp: pud_ptr): void;
/** Linux pmdp_huge_get_and_clear(): the old huge PMD, and *pmdp = 0. No TLB flush. */
export function pmdp_huge_get_and_clear(mm: mm_struct, addr: ulong, pmdp: pmd_ptr): pmd_t;
/** Linux pmd_populate(): *pmd = a user page table, the page pte (from alloc_page): _PAGE_TABLE | its frame. */
export function pmd_populate(mm: mm_struct, pmd: pmd_ptr, pte: page_ptr): void;
/** Linux pmd_populate_kernel(): *pmd = the kernel page table at direct-map address pte: _KERNPG_TABLE | its frame. */
export function pmd_populate_kernel(mm: mm_struct, pmd: pmd_ptr, pte: ulong): void;
/** Linux pud_populate() / p4d_populate(): *pud = the table at direct-map address pmd (user tables: _PAGE_TABLE). */
export function pud_populate(mm: mm_struct, pud: pud_ptr, pmd: ulong): void;
export function p4d_populate(mm: mm_struct, p4d: p4d_ptr, pud: ulong): void;

/**
 * Linux p4d_alloc() (include/linux/mm.h, __p4d_alloc): the p4d entry for
 * address under pgd, allocating the P4D table when *pgd is none (5-level
 * paging; with 4-level it is p4d_offset, the pgd itself). New tables are
 * zeroed frames linked with _PAGE_TABLE, as x86's *_populate link them
 * (in init_mm too; only pte_alloc_kernel uses _KERNPG_TABLE), and counted
 * in mm's page-table bytes. 0n (NULL) when memory runs out.
 */
export function p4d_alloc(mm: mm_struct, pgd: pgd_ptr, address: ulong): p4d_ptr;
/** Linux pud_alloc(): pud_offset, allocating the PUD table when *p4d is none; 0n out of memory. */
export function pud_alloc(mm: mm_struct, p4d: p4d_ptr, address: ulong): pud_ptr;
/** Linux pmd_alloc(): pmd_offset, allocating the PMD table when *pud is none; 0n out of memory. */
export function pmd_alloc(mm: mm_struct, pud: pud_ptr, address: ulong): pmd_ptr;
/** Linux pte_alloc() / __pte_alloc(): a PTE table under *pmd when it is none: 0, or -ENOMEM (Linux's macro is true on failure). */
export function pte_alloc(mm: mm_struct, pmd: pmd_ptr): number;
/** Linux pte_alloc_map(): pte_alloc, then pte_offset_map; 0n out of memory. */
export function pte_alloc_map(mm: mm_struct, pmd: pmd_ptr, address: ulong): pte_ptr;
/** Linux pte_alloc_kernel(): a kernel PTE table (_KERNPG_TABLE) under *pmd when none, then pte_offset_kernel; 0n out of memory. */
export function pte_alloc_kernel(pmd: pmd_ptr, address: ulong): pte_ptr;

/**
 * Linux follow_pte() (mm/memory.c, 6.x signature with the pointer as the
 * result): the pte_t * mapping address in mm, or 0n when a level is none or
 * bad or a huge page maps it. (No lock is taken: vmlab's kernel runs one call at a time.)
 */
export function follow_pte(mm: mm_struct, address: ulong): pte_ptr;
