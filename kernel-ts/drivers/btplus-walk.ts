// btplus's view of a user page-table walk that stops at a leaf of any size:
// the PMD entry for an address (where a 2 MiB page lives) and the leaf entry
// (a PTE, or a PMD with PS=1) that maps it.
import { PTE_P } from '../../emu/machine/mmu/paging';
import { NO_ENTRY, lookupPte, vaHi, vaLo } from '../mm/pgtable';
import { pmdEntryFor, pmdHuge } from '../mm/huge_memory';
import type { KernelMm } from '../mm/kernel-mm';
import type { MmStruct } from '../mm/mm-struct';

export interface Leaf {
  /** The raw 64-bit entry, 0 if nothing maps va. */
  readonly entry: bigint;
  /** 1 for a PTE, 2 for a 2 MiB PMD leaf, 0 if nothing maps va. */
  readonly level: 0 | 1 | 2;
}

function read64(kmm: KernelMm, a: number): bigint {
  return (BigInt(kmm.mem.read32(a + 4) >>> 0) << 32n) | BigInt(kmm.mem.read32(a) >>> 0);
}

/** The leaf entry that maps va in mm, as a walk finds it (a side-effect-free peek). */
export function leafEntry(kmm: KernelMm, mm: MmStruct, va: number): Leaf {
  const pmd = pmdEntryFor(kmm, mm, va);
  if (pmdHuge(kmm, pmd)) return { entry: read64(kmm, pmd), level: 2 };
  const pte = lookupPte(kmm, mm.pgd, vaLo(va), vaHi(va));
  if (pte === NO_ENTRY || (kmm.mem.read32(pte) & PTE_P) === 0) return { entry: 0n, level: 0 };
  return { entry: read64(kmm, pte), level: 1 };
}
