// <linux/pgtable.h> on x86-64 over the kernel's tables in guest RAM
// (mm/pgtable.ts). Entry pointers are direct-map addresses; loads and stores
// of entries go through the MMU at CPL 0 (kmem.ts), and every store goes
// through setPte, the kernel's one place where an entry changes, with
// Flush.Lazy: Linux's set_pte_at does not flush, its callers do.
import type { LinuxEnv } from './env';
import type * as Decl from './include/pgtable';
import type { mm_struct } from './include/mm_types';
import { Access } from '../../../emu/machine/trap';
import { Flush, pgtableAlloc, setPte } from '../../mm/pgtable';
import { vmPageProtHi, vmPageProtLo } from '../../mm/prot';
import { ENOMEM } from '../../errno';
import type { MmStruct } from '../../mm/mm-struct';
import { MASK64, internalMm, isUserAddress, kernelTranslate, readU64, va as vaOf } from './kmem';
import { pageOf, pagePfn } from './page';

const P = 1n;
const RW = 2n;
const USER = 4n;
const PWT = 8n;
const PCD = 0x10n;
const A = 0x20n;
const D = 0x40n;
const PSE = 0x80n;
const G = 0x100n;
const PAT_LARGE = 0x1000n;
const NX = 1n << 63n;
const PROTNONE = G;
const PFN_MASK = 0x000ffffffffff000n;
const FLAGS_MASK = MASK64 & ~PFN_MASK;
const PMD_PAGE_MASK = 0x000fffffffe00000n;
const PUD_PAGE_MASK = 0x000fffffc0000000n;
const PAGE_TABLE = P | RW | USER | A | D;
const KERNPG_TABLE = P | RW | A | D;
/** Linux _PAGE_CHG_MASK, reduced to the bits vmlab has: what pte_modify keeps. */
const CHG_MASK = PFN_MASK | PCD | PWT | A | D;

const idx = (address: bigint, shift: bigint): number => Number((address >> shift) & 511n);

export function pgtableApi(env: LinuxEnv): typeof Decl {
  const k = env.kernel;
  const kmm = k.mm;
  const l5 = kmm.levels === 5;
  const pgdirShift = l5 ? 48n : 39n;

  /** The entry at a pointer (a kernel load through the MMU). */
  const load = (p: bigint, fn: string): bigint => {
    if ((p & 7n) !== 0n) throw new Error(`${fn}: 0x${p.toString(16)} is not an entry (not 8-byte aligned)`);
    return readU64(k, p & MASK64, fn);
  };
  /** Writes an entry through setPte (no flush); mm is the owner when known. */
  const store = (p: bigint, v: bigint, fn: string, mm: MmStruct | null = null, addr = 0n): void => {
    if ((p & 7n) !== 0n) throw new Error(`${fn}: 0x${p.toString(16)} is not an entry (not 8-byte aligned)`);
    const pa = kernelTranslate(k, p & MASK64, Access.Write, fn);
    const val = v & MASK64;
    setPte(kmm, mm, pa, Number(addr & 0xffffffffn), Number((addr >> 32n) & 0xffffffffn), Number(val & 0xffffffffn), Number(val >> 32n), Flush.Lazy);
  };
  const mmOrNull = (mm: mm_struct, fn: string): MmStruct | null => (mm.pgd === vaOf(k, kmm.kspace.initPgd) ? null : internalMm(k, mm, fn));
  /** Whose tables hold address: the kernel half is init_mm's (shared by every pgd), whatever mm is given. */
  const tablesOf = (mm: mm_struct, address: bigint, fn: string): MmStruct | null => (isUserAddress(k, address) ? mmOrNull(mm, fn) : null);

  const pfnOf = (v: bigint): bigint => (v & PFN_MASK) >> 12n;
  const pmdPfn = (v: bigint): bigint => (v & (v & PSE ? PMD_PAGE_MASK : PFN_MASK)) >> 12n;
  const pudPfn = (v: bigint): bigint => (v & (v & PSE ? PUD_PAGE_MASK : PFN_MASK)) >> 12n;
  const tableVa = (pfn: bigint): bigint => vaOf(k, pfn << 12n);

  const pgd_offset = (mm: mm_struct, address: bigint): bigint => mm.pgd + BigInt(idx(address, pgdirShift)) * 8n;
  const p4d_offset = (pgd: bigint, address: bigint): bigint => (l5 ? tableVa(pfnOf(load(pgd, 'p4d_offset'))) + BigInt(idx(address, 39n)) * 8n : pgd);
  const pud_offset = (p4d: bigint, address: bigint): bigint => tableVa(pfnOf(load(p4d, 'pud_offset'))) + BigInt(idx(address, 30n)) * 8n;
  const pmd_offset = (pud: bigint, address: bigint): bigint => tableVa(pudPfn(load(pud, 'pmd_offset'))) + BigInt(idx(address, 21n)) * 8n;
  const pte_offset_kernel = (pmd: bigint, address: bigint): bigint => tableVa(pmdPfn(load(pmd, 'pte_offset_kernel'))) + BigInt(idx(address, 12n)) * 8n;

  const pmd_present = (v: bigint): boolean => (v & (P | PROTNONE | PSE)) !== 0n;
  const pmd_bad = (v: bigint): boolean => (v & FLAGS_MASK & ~(USER | A)) !== (KERNPG_TABLE & ~A);
  const pmd_leaf = (v: bigint): boolean => (v & PSE) !== 0n;
  const pud_leaf = (v: bigint): boolean => (v & (PSE | P)) === (PSE | P);
  const pud_bad = (v: bigint): boolean => (v & FLAGS_MASK & ~(KERNPG_TABLE | USER)) !== 0n;
  const p4d_bad = (v: bigint): boolean => (v & FLAGS_MASK & ~(KERNPG_TABLE | USER | NX)) !== 0n;
  const pgd_none = (v: bigint): boolean => l5 && v === 0n;
  const pgd_bad = (v: bigint): boolean => l5 && (v & FLAGS_MASK & ~USER) !== KERNPG_TABLE;

  /**
   * __pte_alloc and kin: when the entry at p is none, a zeroed table linked
   * with flags: _PAGE_TABLE as x86's p4d/pud_populate and pmd_populate do
   * (init_mm's included), _KERNPG_TABLE for pmd_populate_kernel. false when
   * memory runs out.
   */
  const populate = (p: bigint, mm: MmStruct | null, fn: string, flags = PAGE_TABLE): boolean => {
    if (load(p, fn) !== 0n) return true;
    const table = pgtableAlloc(kmm);
    if (table < 0) return false;
    if (mm !== null) mm.pgtablesBytes += 4096;
    store(p, BigInt(table) | flags, fn, mm);
    return true;
  };

  return {
    _PAGE_PRESENT: P,
    _PAGE_RW: RW,
    _PAGE_USER: USER,
    _PAGE_PWT: PWT,
    _PAGE_PCD: PCD,
    _PAGE_ACCESSED: A,
    _PAGE_DIRTY: D,
    _PAGE_PSE: PSE,
    _PAGE_PAT: PSE,
    _PAGE_GLOBAL: G,
    _PAGE_PAT_LARGE: PAT_LARGE,
    _PAGE_NX: NX,
    _PAGE_PROTNONE: PROTNONE,
    PTE_PFN_MASK: PFN_MASK,
    PTE_FLAGS_MASK: FLAGS_MASK,
    _PAGE_TABLE: PAGE_TABLE,
    _KERNPG_TABLE: KERNPG_TABLE,
    PAGE_KERNEL: P | RW | A | D | G | NX,
    PAGE_KERNEL_RO: P | A | D | G | NX,
    PAGE_KERNEL_EXEC: P | RW | A | D | G,
    PAGE_KERNEL_LARGE: P | RW | A | D | G | NX | PSE,
    PAGE_NONE: PROTNONE | A,
    PAGE_SHARED: P | RW | USER | A | NX,
    PAGE_SHARED_EXEC: P | RW | USER | A,
    PAGE_READONLY: P | USER | A | NX,
    PAGE_READONLY_EXEC: P | USER | A,
    PAGE_COPY: P | USER | A | NX,

    pgtable_l5_enabled: () => l5,
    pgd_index: (a) => idx(a, pgdirShift),
    // (address >> P4D_SHIFT) & (PTRS_PER_P4D - 1): 0 when the p4d is folded (4-level).
    p4d_index: (a) => (l5 ? idx(a, 39n) : 0),
    pud_index: (a) => idx(a, 30n),
    pmd_index: (a) => idx(a, 21n),
    pte_index: (a) => idx(a, 12n),

    pgd_offset,
    pgd_offset_k: (address) => vaOf(k, kmm.kspace.initPgd) + BigInt(idx(address, pgdirShift)) * 8n,
    p4d_offset,
    pud_offset,
    pmd_offset,
    pte_offset_kernel,
    pte_offset_map: (pmd, address) => {
      const v = load(pmd, 'pte_offset_map');
      if (v === 0n || pmd_leaf(v) || pmd_bad(v)) return 0n;
      return tableVa(pfnOf(v)) + BigInt(idx(address, 12n)) * 8n;
    },
    pte_unmap: () => {},

    pgdp_get: (p) => load(p, 'pgdp_get'),
    p4dp_get: (p) => load(p, 'p4dp_get'),
    pudp_get: (p) => load(p, 'pudp_get'),
    pmdp_get: (p) => load(p, 'pmdp_get'),
    ptep_get: (p) => load(p, 'ptep_get'),

    pgd_none,
    pgd_present: (v) => !l5 || (v & P) !== 0n,
    pgd_bad,
    p4d_none: (v) => v === 0n,
    p4d_present: (v) => (v & P) !== 0n,
    p4d_bad,
    pud_none: (v) => v === 0n,
    pud_present: (v) => (v & P) !== 0n,
    pud_bad,
    pud_leaf,
    pud_large: pud_leaf,
    pmd_none: (v) => v === 0n,
    pmd_present,
    pmd_bad,
    pmd_leaf,
    pmd_large: pmd_leaf,
    pmd_trans_huge: (v) => (v & PSE) !== 0n,
    pte_none: (v) => v === 0n,
    pte_present: (v) => (v & (P | PROTNONE)) !== 0n,

    pgd_val: (v) => v,
    p4d_val: (v) => v,
    pud_val: (v) => v,
    pmd_val: (v) => v,
    pte_val: (v) => v,
    __pgd: (v) => v & MASK64,
    __p4d: (v) => v & MASK64,
    __pud: (v) => v & MASK64,
    __pmd: (v) => v & MASK64,
    __pte: (v) => v & MASK64,
    __pgprot: (v) => v & MASK64,
    pgprot_val: (v) => v,
    vm_get_page_prot: (flags) => (BigInt(vmPageProtHi(Number(flags & 0xffffffffn)) >>> 0) << 32n) | BigInt(vmPageProtLo(Number(flags & 0xffffffffn)) >>> 0),
    pgprot_noncached: (prot) => (prot & ~(PWT | PCD | PSE)) | PCD,
    pgprot_writecombine: (prot) => (prot & ~(PWT | PCD | PSE)) | PWT,
    pte_flags: (v) => v & FLAGS_MASK,
    pmd_flags: (v) => v & MASK64 & ~(v & PSE ? PMD_PAGE_MASK : PFN_MASK),
    pud_flags: (v) => v & MASK64 & ~(v & PSE ? PUD_PAGE_MASK : PFN_MASK),
    pgd_pfn: pfnOf,
    p4d_pfn: pfnOf,
    pud_pfn: pudPfn,
    pmd_pfn: pmdPfn,
    pte_pfn: pfnOf,
    pud_page: (v) => pageOf(env, pudPfn(v)),
    pmd_page: (v) => pageOf(env, pmdPfn(v)),
    pte_page: (v) => pageOf(env, pfnOf(v)),
    pgd_page_vaddr: (v) => tableVa(pfnOf(v)),
    p4d_pgtable: (v) => tableVa(pfnOf(v)),
    pud_pgtable: (v) => tableVa(pudPfn(v)),
    pmd_page_vaddr: (v) => tableVa(pmdPfn(v)),
    p4d_page_vaddr: (v) => tableVa(pfnOf(v)),
    pud_page_vaddr: (v) => tableVa(pudPfn(v)),

    pte_write: (v) => (v & RW) !== 0n,
    pte_dirty: (v) => (v & D) !== 0n,
    pte_young: (v) => (v & A) !== 0n,
    pte_exec: (v) => (v & NX) === 0n,
    pte_global: (v) => (v & G) !== 0n,
    pte_user: (v) => (v & USER) !== 0n,
    pmd_write: (v) => (v & RW) !== 0n,
    pmd_dirty: (v) => (v & D) !== 0n,
    pmd_young: (v) => (v & A) !== 0n,
    pte_mkwrite: (v) => v | RW,
    pte_wrprotect: (v) => v & ~RW,
    pte_mkdirty: (v) => v | D,
    pte_mkclean: (v) => v & ~D,
    pte_mkyoung: (v) => v | A,
    pte_mkold: (v) => v & ~A,
    pte_mkexec: (v) => v & ~NX,
    pte_mkglobal: (v) => v | G,
    pte_clrglobal: (v) => v & ~G,
    pte_modify: (v, prot) => (v & CHG_MASK) | (prot & MASK64 & ~CHG_MASK),
    pmd_mkwrite: (v) => v | RW,
    pmd_wrprotect: (v) => v & ~RW,
    pmd_mkdirty: (v) => v | D,
    pmd_mkyoung: (v) => v | A,
    pmd_mkold: (v) => v & ~A,
    pmd_mkhuge: (v) => v | PSE,
    pte_pgprot: (v) => v & FLAGS_MASK,

    pfn_pte: (pfn, prot) => ((pfn << 12n) & PFN_MASK) | (prot & FLAGS_MASK),
    pfn_pmd: (pfn, prot) => ((pfn << 12n) & PFN_MASK) | (prot & FLAGS_MASK),
    pfn_pud: (pfn, prot) => ((pfn << 12n) & PFN_MASK) | (prot & FLAGS_MASK),
    mk_pte: (page, prot) => (BigInt(pagePfn(env, page, 'mk_pte')) << 12n) | (prot & FLAGS_MASK),
    mk_pmd: (page, prot) => (BigInt(pagePfn(env, page, 'mk_pmd')) << 12n) | (prot & FLAGS_MASK),
    mk_huge_pmd: (page, prot) => (BigInt(pagePfn(env, page, 'mk_huge_pmd')) << 12n) | (prot & FLAGS_MASK) | PSE,

    set_pte_at: (mm, addr, ptep, pte) => store(ptep, pte, 'set_pte_at', mmOrNull(mm, 'set_pte_at'), addr),
    set_pte: (ptep, pte) => store(ptep, pte, 'set_pte'),
    pte_clear: (mm, addr, ptep) => store(ptep, 0n, 'pte_clear', mmOrNull(mm, 'pte_clear'), addr),
    ptep_get_and_clear: (mm, addr, ptep) => {
      const old = load(ptep, 'ptep_get_and_clear');
      store(ptep, 0n, 'ptep_get_and_clear', mmOrNull(mm, 'ptep_get_and_clear'), addr);
      return old;
    },
    ptep_set_wrprotect: (mm, addr, ptep) => store(ptep, load(ptep, 'ptep_set_wrprotect') & ~RW, 'ptep_set_wrprotect', mmOrNull(mm, 'ptep_set_wrprotect'), addr),
    ptep_test_and_clear_young: (vma, addr, ptep) => {
      const v = load(ptep, 'ptep_test_and_clear_young');
      if ((v & A) === 0n) return false;
      store(ptep, v & ~A, 'ptep_test_and_clear_young', mmOrNull(vma.vm_mm, 'ptep_test_and_clear_young'), addr);
      return true;
    },
    set_pmd_at: (mm, addr, pmdp, pmd) => store(pmdp, pmd, 'set_pmd_at', mmOrNull(mm, 'set_pmd_at'), addr),
    set_pmd: (p, v) => store(p, v, 'set_pmd'),
    set_pud: (p, v) => store(p, v, 'set_pud'),
    set_p4d: (p, v) => store(p, v, 'set_p4d'),
    set_pgd: (p, v) => store(p, v, 'set_pgd'),
    pmd_clear: (p) => store(p, 0n, 'pmd_clear'),
    pud_clear: (p) => store(p, 0n, 'pud_clear'),
    pmdp_huge_get_and_clear: (mm, addr, pmdp) => {
      const old = load(pmdp, 'pmdp_huge_get_and_clear');
      store(pmdp, 0n, 'pmdp_huge_get_and_clear', mmOrNull(mm, 'pmdp_huge_get_and_clear'), addr);
      return old;
    },
    pmd_populate: (mm, pmd, pte) => store(pmd, (BigInt(pagePfn(env, pte, 'pmd_populate')) << 12n) | PAGE_TABLE, 'pmd_populate', mmOrNull(mm, 'pmd_populate')),
    pmd_populate_kernel: (mm, pmd, pte) => store(pmd, ((pte - vaOf(k, 0n)) & PFN_MASK) | KERNPG_TABLE, 'pmd_populate_kernel', mmOrNull(mm, 'pmd_populate_kernel')),
    pud_populate: (mm, pud, pmd) => store(pud, ((pmd - vaOf(k, 0n)) & PFN_MASK) | PAGE_TABLE, 'pud_populate', mmOrNull(mm, 'pud_populate')),
    p4d_populate: (mm, p4d, pud) => store(p4d, ((pud - vaOf(k, 0n)) & PFN_MASK) | PAGE_TABLE, 'p4d_populate', mmOrNull(mm, 'p4d_populate')),

    p4d_alloc: (mm, pgd, address) => (!l5 || populate(pgd, tablesOf(mm, address, 'p4d_alloc'), 'p4d_alloc') ? p4d_offset(pgd, address) : 0n),
    pud_alloc: (mm, p4d, address) => (populate(p4d, tablesOf(mm, address, 'pud_alloc'), 'pud_alloc') ? pud_offset(p4d, address) : 0n),
    pmd_alloc: (mm, pud, address) => (populate(pud, tablesOf(mm, address, 'pmd_alloc'), 'pmd_alloc') ? pmd_offset(pud, address) : 0n),
    pte_alloc: (mm, pmd) => (populate(pmd, mmOrNull(mm, 'pte_alloc'), 'pte_alloc') ? 0 : -ENOMEM),
    pte_alloc_map: (mm, pmd, address) => (populate(pmd, tablesOf(mm, address, 'pte_alloc_map'), 'pte_alloc_map') ? pte_offset_kernel(pmd, address) : 0n),
    pte_alloc_kernel: (pmd, address) => (populate(pmd, null, 'pte_alloc_kernel', KERNPG_TABLE) ? pte_offset_kernel(pmd, address) : 0n),
    follow_pte: (mm, address) => {
      const pgd = pgd_offset(mm, address);
      const g = load(pgd, 'follow_pte');
      if (pgd_none(g) || pgd_bad(g)) return 0n;
      const p4d = p4d_offset(pgd, address);
      const q = load(p4d, 'follow_pte');
      if (q === 0n || p4d_bad(q)) return 0n;
      const pud = pud_offset(p4d, address);
      const u = load(pud, 'follow_pte');
      if (u === 0n || pud_bad(u)) return 0n;
      const pmd = pmd_offset(pud, address);
      const m = load(pmd, 'follow_pte');
      if (m === 0n || pmd_leaf(m) || pmd_bad(m)) return 0n;
      const pte = pte_offset_kernel(pmd, address);
      return (load(pte, 'follow_pte') & (P | PROTNONE)) !== 0n ? pte : 0n;
    },
  };
}
