// From VMA flags to user PTE bits (Linux arch/x86/mm/pgprot.c protection_map
// and include/linux/pgtable.h's pte_* helpers), for the low and high halves.
//
// A user PTE is US=1, A=1 (Linux's PAGE_* protections include _PAGE_ACCESSED),
// NX unless VM_EXEC, RW only where writing needs no fault first: shared
// writable mappings (private writable ones start read-only, for copy-on-write;
// the fault handlers make them writable). A VMA with no access rights
// (PROT_NONE) keeps its pages as not-present entries marked PTE_PROTNONE, as
// Linux's _PAGE_PROTNONE reuses the global bit: P=0 makes the MMU fault on any
// access, while the frame stays mapped for a later mprotect.
import { PTE_A, PTE_D, PTE_G, PTE_NX_HI, PTE_P, PTE_RW, PTE_US } from '../../emu/machine/mmu/paging';
import { VM_ACCESS_FLAGS, VM_EXEC, VM_SHARED, VM_WRITE } from './vma';

/** Linux _PAGE_PROTNONE: bit 8 (G) of a user entry with P=0. */
export const PTE_PROTNONE = PTE_G;
/** pte_present(): a mapped page, accessible or PROT_NONE. */
export const PTE_PRESENT_MASK = PTE_P | PTE_PROTNONE;

/** Low-half PTE bits for a VMA's flags (vm_page_prot), before pte_mkwrite/mkdirty. */
export function vmPageProtLo(vmFlags: number): number {
  if ((vmFlags & VM_ACCESS_FLAGS) === 0) return PTE_PROTNONE | PTE_US | PTE_A;
  const rw = (vmFlags & (VM_SHARED | VM_WRITE)) === (VM_SHARED | VM_WRITE) ? PTE_RW : 0;
  return PTE_P | PTE_US | PTE_A | rw;
}

/** High-half PTE bits for a VMA's flags: NX unless VM_EXEC. */
export function vmPageProtHi(vmFlags: number): number {
  return (vmFlags & VM_EXEC) !== 0 ? 0 : PTE_NX_HI;
}

/** The low half of a PTE mapping pfn with the given flag bits. */
export function pfnPteLo(pfn: number, flags: number): number {
  return (((pfn % 1048576) << 12) | flags) >>> 0;
}

/** The high half of a PTE mapping pfn (bits 51:32 of its address) with the given high flags. */
export function pfnPteHi(pfn: number, hiFlags: number): number {
  return (Math.floor(pfn / 1048576) | hiFlags) >>> 0;
}

/** Linux pte_mkwrite(pte_mkdirty()): the bits a write fault adds. */
export const PTE_WRITE_DIRTY = PTE_RW | PTE_D;

/**
 * Linux change_pte_range() for mprotect: the entry with its protection bits
 * replaced by the new VMA flags', keeping the frame, A and D. Writable only if
 * the VMA is shared-writable, or private-writable and already dirty with a page
 * no one else maps (`exclusive`, Linux's can_change_pte_writable).
 */
export function changePteProtLo(lo: number, vmFlags: number, exclusive: boolean): number {
  const keep = lo & ~0xfff;
  const ad = lo & (PTE_A | PTE_D);
  let bits = vmPageProtLo(vmFlags) | ad;
  if ((bits & PTE_P) !== 0 && (vmFlags & VM_WRITE) !== 0 && exclusive && (lo & PTE_D) !== 0) bits |= PTE_RW;
  return (keep | bits) >>> 0;
}

export function changePteProtHi(hi: number, vmFlags: number): number {
  return ((hi & ~PTE_NX_HI) | vmPageProtHi(vmFlags)) >>> 0;
}
