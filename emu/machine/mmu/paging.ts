// x86-64 paging constants, with the Intel names (SDM vol. 3, chapter 4 and
// 2.5 for the control registers). Entry bits 31:0 are tested on an entry's low
// 32-bit half, bits 63:32 (the *_HI constants) on its high half.

/** Paging-structure entry bits, low half (SDM vol. 3, tables 4-15 .. 4-20). */
export const PTE_P = 1 << 0;
export const PTE_RW = 1 << 1;
export const PTE_US = 1 << 2;
export const PTE_PWT = 1 << 3;
export const PTE_PCD = 1 << 4;
export const PTE_A = 1 << 5;
export const PTE_D = 1 << 6;
/** Page size, in PDPTEs and PDEs (in a PTE, bit 7 is PAT). */
export const PTE_PS = 1 << 7;
export const PTE_G = 1 << 8;
/** PAT bit of a 2-MByte or 1-GByte leaf (bit 12). */
export const PTE_PAT = 1 << 12;
/** Execute-disable, bit 63: in the high half. */
export const PTE_NX_HI = 1 << 31;
/** Execute-disable as a 64-bit mask, for BigInt users (tests, debugger). */
export const PTE_NX = 1n << 63n;
/** Protection key, bits 62:59 of a leaf: shift and mask within the high half. */
export const PTE_PKEY_SHIFT_HI = 27;
export const PTE_PKEY_MASK_HI = 0xf << 27;
/** Bits 51:32 of the frame address, within the high half. */
export const PTE_ADDR_MASK_HI = 0x000fffff;
/** Bits 31:12 of the frame address, within the low half. */
export const PTE_ADDR_MASK_LO = 0xfffff000 | 0;

/** Control-register bits (SDM vol. 3, 2.5). */
export const CR0_PE = 1 << 0;
export const CR0_WP = 1 << 16;
export const CR0_PG = 1 << 31;
export const CR4_PAE = 1 << 5;
export const CR4_PGE = 1 << 7;
export const CR4_LA57 = 1 << 12;
export const CR4_PCIDE = 1 << 17;
export const CR4_SMEP = 1 << 20;
export const CR4_SMAP = 1 << 21;
export const CR4_PKE = 1 << 22;
/** IA32_EFER bits (SDM vol. 3, 2.2.1). */
export const EFER_LME = 1 << 8;
export const EFER_LMA = 1 << 10;
export const EFER_NXE = 1 << 11;
/** CR3 bit 63 on MOV to CR3 with CR4.PCIDE=1: do not flush (SDM 4.10.4.1). */
export const CR3_NOFLUSH = 1n << 63n;
/** CR3 bits 11:0: the PCID when CR4.PCIDE=1. */
export const CR3_PCID_MASK = 0xfff;

/** Paging-structure levels, numbered as the SDM counts them (PTE = 1 .. PML5E = 5). */
export const Level = { PTE: 1, PDE: 2, PDPTE: 3, PML4E: 4, PML5E: 5 } as const;
export type Level = (typeof Level)[keyof typeof Level];

/** Intel names of the entries at each level (index = level). */
export const LEVEL_NAMES = ['', 'PTE', 'PDE', 'PDPTE', 'PML4E', 'PML5E'] as const;
/** Linux's names of the tables at each level (pte_t .. pgd_t with 5-level paging). */
export const LINUX_NAMES = ['', 'pte', 'pmd', 'pud', 'p4d', 'pgd'] as const;

/** Page sizes, as the shift of the page size. */
export const PAGE_SHIFT_4K = 12;
export const PAGE_SHIFT_2M = 21;
export const PAGE_SHIFT_1G = 30;
/** The base page, 4 KiB: the one PAGE_SHIFT and PAGE_SIZE (kernel-ts/mm/page.ts re-exports them). */
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;

/** Human name of a page size given by its shift. */
export function pageSizeName(shift: number): '4K' | '2M' | '1G' {
  return shift === PAGE_SHIFT_1G ? '1G' : shift === PAGE_SHIFT_2M ? '2M' : '4K';
}
