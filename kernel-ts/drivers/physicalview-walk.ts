// The page-table walk the physicalview and mtest drivers share: a user
// virtual address through pgd -> p4d -> pud -> pmd -> pte of one mm, as
// 3000physicalview.c's get_physical() and mtest's findpage() do with
// pgd_offset() .. pte_offset_map(), recording every level's index and entry
// so a driver can print them.
//
// With 4-level paging the p4d is folded into the pgd, as in Linux: p4d_offset
// returns the pgd entry itself, so p4d_val == pgd_val and p4d_index is 0.
// A pud or pmd entry with PS set is a leaf (pud_leaf/pmd_leaf: a 1G or 2M
// page) and ends the walk there. The walk is a peek: it reads entries from
// guest RAM, never faults and never sets A/D bits (STYLE convention 7).
import { tableIndex } from '../../emu/machine/mmu/walk';
import { PTE_P, PTE_PS } from '../../emu/machine/mmu/paging';
import { PTE_PRESENT_MASK } from '../mm/prot';
import { NO_ENTRY, entryAddr, p4dOffset, pgdOffset, pmdOffset, pteOffset, pudOffset, vaHi, vaLo } from '../mm/pgtable';
import type { KernelMm } from '../mm/kernel-mm';
import type { MmStruct } from '../mm/mm-struct';
import { TWO32 } from '../../emu/machine/cpu/int64';
import { PAGE_SIZE } from '../mm/page';

export const PMD_SIZE = 2 * 1024 * 1024;
export const PUD_SIZE = 1024 * 1024 * 1024;

/** Linux's names for the levels, top first. */
export type PgLevel = 'pgd' | 'p4d' | 'pud' | 'pmd' | 'pte';

/** One level of the walk: pXd_index(addr) and pXd_val(*pXd). */
export interface WalkStep {
  readonly level: PgLevel;
  readonly index: number;
  /** The raw 64-bit entry. */
  readonly val: bigint;
}

export interface UserWalk {
  /** pgtable_l5_enabled(). */
  readonly l5: boolean;
  /** The levels read, top first (the last one is the leaf or the missing entry). */
  readonly steps: readonly WalkStep[];
  /** The level whose entry is none / not present, or null when the address is mapped. */
  readonly missing: PgLevel | null;
  /** Size of the page that maps the address: 4K, 2M (pmd leaf) or 1G (pud leaf); 0 when unmapped. */
  readonly pageSize: number;
  /** The page's physical address (pfn << PAGE_SHIFT for 4K); 0 when unmapped. */
  readonly pageAddr: number;
  /** The byte's physical address: pageAddr | (addr & (pageSize - 1)); 0 when unmapped. */
  readonly phys: number;
}

function readEntry(kmm: KernelMm, entry: number): { lo: number; hi: number; val: bigint } {
  const lo = kmm.mem.read32(entry);
  const hi = kmm.mem.read32(entry + 4);
  return { lo, hi, val: (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0) };
}

/**
 * Walks mm's page tables for user address va (< 2^56). Returns every level
 * read and the physical address, or `missing` naming the first level whose
 * entry is not present (Linux pXd_none || !pXd_present). A dead mm (its
 * tables freed) reads as unmapped at the pgd.
 */
export function walkUserVa(kmm: KernelMm, mm: MmStruct, va: number): UserWalk {
  const l5 = kmm.levels === 5;
  const lo = vaLo(va);
  const hi = vaHi(va);
  const steps: WalkStep[] = [];
  const unmapped = (level: PgLevel): UserWalk => ({ l5, steps, missing: level, pageSize: 0, pageAddr: 0, phys: 0 });
  const mapped = (size: number, lo: number, hi: number): UserWalk => {
    const pageAddr = Math.floor(entryAddr(lo, hi) / size) * size;
    return { l5, steps, missing: null, pageSize: size, pageAddr, phys: pageAddr + (va % size) };
  };
  if (mm.dead) return unmapped('pgd');

  const pgd = pgdOffset(kmm, mm.pgd, lo, hi);
  const g = readEntry(kmm, pgd);
  steps.push({ level: 'pgd', index: tableIndex(lo, hi, kmm.levels), val: g.val });
  if ((g.lo & PTE_P) === 0) return unmapped('pgd');

  const p4d = p4dOffset(kmm, pgd, lo, hi);
  const d4 = readEntry(kmm, p4d);
  steps.push({ level: 'p4d', index: l5 ? tableIndex(lo, hi, 4) : 0, val: d4.val });
  if ((d4.lo & PTE_P) === 0) return unmapped('p4d');

  const pud = pudOffset(kmm, p4d, lo, hi);
  if (pud === NO_ENTRY) throw new Error('walkUserVa: present p4d without a pud table');
  const u = readEntry(kmm, pud);
  steps.push({ level: 'pud', index: tableIndex(lo, hi, 3), val: u.val });
  if ((u.lo & PTE_P) === 0) return unmapped('pud');
  if ((u.lo & PTE_PS) !== 0) return mapped(PUD_SIZE, u.lo, u.hi);

  const pmd = pmdOffset(kmm, pud, lo, hi);
  const d = readEntry(kmm, pmd);
  steps.push({ level: 'pmd', index: tableIndex(lo, hi, 2), val: d.val });
  if ((d.lo & PTE_P) === 0) return unmapped('pmd');
  if ((d.lo & PTE_PS) !== 0) return mapped(PMD_SIZE, d.lo, d.hi);

  const pte = pteOffset(kmm, pmd, lo, hi);
  const e = readEntry(kmm, pte);
  steps.push({ level: 'pte', index: tableIndex(lo, hi, 1), val: e.val });
  // pte_present(): a PROT_NONE page keeps its frame (P=0, PROTNONE set).
  if ((e.lo & PTE_PRESENT_MASK) === 0) return unmapped('pte');
  return mapped(PAGE_SIZE, e.lo, e.hi);
}

/** `0x` and lowercase hex of a non-negative integer (number < 2^53 or bigint), as printk's %lx. */
export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

/** printk's %016lx of a number < 2^53. */
export function hex16(n: number): string {
  return `0x${Math.floor(n / TWO32).toString(16).padStart(8, '0')}${(n >>> 0).toString(16).padStart(8, '0')}`;
}
