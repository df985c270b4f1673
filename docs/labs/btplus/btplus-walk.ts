// btplus's page-table walks (docs/experiments/btplus.md), pgd_offset ..
// pte_offset_map through the process's real tables, as the lab's btplus.c
// walks them: one that stops at a leaf of any size (a PTE, or a PMD with
// PS=1: a 2 MiB page), and one that allocates the missing tables on the way
// (compaction's destinations).
import {
  _PAGE_PRESENT, p4d_alloc, p4d_bad, p4d_none, p4d_offset, p4dp_get, pgd_bad, pgd_none, pgd_offset, pgdp_get,
  pmd_alloc, pmd_leaf, pmd_none, pmd_offset, pmd_trans_huge, pmdp_get, pte_alloc_map, pte_offset_map, pte_unmap,
  pte_val, ptep_get, pud_alloc, pud_bad, pud_leaf, pud_none, pud_offset, pudp_get,
} from 'vmlab/linux';
import type { mm_struct, pmd_ptr, pte_ptr } from 'vmlab/linux';

/** The pmd_t * covering addr in mm, or 0n (NULL) when an upper level is none or bad (no table is made). */
export function btplus_pmd_offset(mm: mm_struct, addr: bigint): pmd_ptr {
  const pgd = pgd_offset(mm, addr);
  const pgdv = pgdp_get(pgd);
  if (pgd_none(pgdv) || pgd_bad(pgdv)) return 0n;
  const p4d = p4d_offset(pgd, addr);
  const p4dv = p4dp_get(p4d);
  if (p4d_none(p4dv) || p4d_bad(p4dv)) return 0n;
  const pud = pud_offset(p4d, addr);
  const pudv = pudp_get(pud);
  if (pud_none(pudv) || pud_leaf(pudv) || pud_bad(pudv)) return 0n;
  return pmd_offset(pud, addr);
}

/** The pte_t * mapping addr in mm, or 0n when there is no PTE table for it (or a huge PMD maps it). */
export function btplus_pte_offset(mm: mm_struct, addr: bigint): pte_ptr {
  const pmd = btplus_pmd_offset(mm, addr);
  return pmd === 0n ? 0n : pte_offset_map(pmd, addr);
}

/** The leaf of a walk: the raw entry and its level (1 = a PTE, 2 = a PMD with PS=1; 0 and entry 0 when nothing maps the address). */
export interface btplus_leaf {
  entry: bigint;
  level: 0 | 1 | 2;
}

/** BTPLUS_WALK: the leaf entry that maps addr in mm (a read-only walk: nothing is allocated, A/D bits untouched). */
export function btplus_leaf_entry(mm: mm_struct, addr: bigint): btplus_leaf {
  const pmd = btplus_pmd_offset(mm, addr);
  if (pmd === 0n) return { entry: 0n, level: 0 };
  const pmdv = pmdp_get(pmd);
  if (pmd_none(pmdv)) return { entry: 0n, level: 0 };
  if (pmd_leaf(pmdv) || pmd_trans_huge(pmdv)) return { entry: pmdv, level: 2 };
  const pte = pte_offset_map(pmd, addr);
  if (pte === 0n) return { entry: 0n, level: 0 };
  const ptev = ptep_get(pte);
  pte_unmap(pte);
  // Only a mapped page counts (a PROT_NONE entry has _PAGE_PRESENT clear).
  if ((pte_val(ptev) & _PAGE_PRESENT) === 0n) return { entry: 0n, level: 0 };
  return { entry: pte_val(ptev), level: 1 };
}

/**
 * The pte_t * for addr in mm, making the P4D/PUD/PMD/PTE tables that are
 * missing (Linux's p4d_alloc .. pte_alloc_map chain, as __handle_mm_fault
 * does), or 0n when memory runs out or a huge PMD maps addr.
 */
export function btplus_pte_alloc(mm: mm_struct, addr: bigint): pte_ptr {
  const pgd = pgd_offset(mm, addr);
  const p4d = p4d_alloc(mm, pgd, addr);
  if (p4d === 0n) return 0n;
  const pud = pud_alloc(mm, p4d, addr);
  if (pud === 0n) return 0n;
  const pmd = pmd_alloc(mm, pud, addr);
  if (pmd === 0n || pmd_leaf(pmdp_get(pmd))) return 0n;
  return pte_alloc_map(mm, pmd, addr);
}
