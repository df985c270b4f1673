// Helpers for MMU tests: build page tables in a sparse memory, make an MMU in
// IA-32e mode, and run one access returning what happened as plain data.
import fc from 'fast-check';
import { SparsePhysMem, read64Big, write64Big } from '../../../../emu/machine/mem/phys';
import { Mmu } from '../../../../emu/machine/mmu/mmu';
import type { TlbConfig } from '../../../../emu/machine/mmu/tlb';
import { Access, isTrap } from '../../../../emu/machine/trap';

export const P = 1n;
export const RW = 2n;
export const US = 4n;
export const A = 0x20n;
export const D = 0x40n;
export const PS = 0x80n;
export const G = 0x100n;
export const XD = 1n << 63n;
export const pkey = (k: number): bigint => BigInt(k) << 59n;

export const CR0_BASE = 0x80000011; // PG | ET | PE
export const CR0_WP = 0x10000;
export const CR4_PAE = 0x20;
export const CR4_PGE = 0x80;
export const CR4_LA57 = 0x1000;
export const CR4_PCIDE = 0x20000;
export const CR4_SMEP = 0x100000;
export const CR4_SMAP = 0x200000;
export const CR4_PKE = 0x400000;
export const EFER_LMA_LME = 0x500;
export const EFER_NXE = 0x800;

export type Size = '4K' | '2M' | '1G';
const LEAF_LEVEL: Record<Size, number> = { '4K': 1, '2M': 2, '1G': 3 };

/** Page tables in a sparse memory; tables are allocated from 0x100000 up. */
export class Tables {
  readonly mem = new SparsePhysMem();
  private next = 0x100000;
  readonly root: number;
  constructor(readonly levels: 4 | 5 = 4) {
    this.root = this.alloc();
  }
  alloc(): number {
    const a = this.next;
    this.next += 0x1000;
    return a;
  }
  get(pa: number): bigint {
    return read64Big(this.mem, pa);
  }
  set(pa: number, v: bigint): void {
    write64Big(this.mem, pa, v);
  }
  /** Index of va at `level` (1 = PTE). */
  static index(va: bigint, level: number): number {
    return Number((va >> BigInt(12 + 9 * (level - 1))) & 511n);
  }
  /**
   * Maps va to pa with a leaf of `size` holding `leaf` flags (plus PS for
   * large pages); intermediate entries get `upper` flags. Returns the entry
   * addresses by level (index 1 = PTE ...).
   */
  map(va: bigint, pa: bigint, leaf: bigint, opts: { size?: Size; upper?: bigint; upperAt?: Record<number, bigint> } = {}): number[] {
    const size = opts.size ?? '4K';
    const leafLevel = LEAF_LEVEL[size];
    const addrs: number[] = [];
    let table = this.root;
    for (let level = this.levels; level >= leafLevel; level--) {
      const ea = table + Tables.index(va, level) * 8;
      addrs[level] = ea;
      if (level === leafLevel) {
        this.set(ea, pa | leaf | (leafLevel > 1 ? PS : 0n));
        break;
      }
      const cur = this.get(ea);
      let next: number;
      if ((cur & P) !== 0n && (cur & PS) === 0n) next = Number(cur & 0x000ffffffffff000n);
      else next = this.alloc();
      const flags = opts.upperAt?.[level] ?? opts.upper ?? P | RW | US;
      this.set(ea, BigInt(next) | flags);
      table = next;
    }
    return addrs;
  }
}

export interface State {
  cr0?: number;
  cr4?: number;
  efer?: number;
  cpl?: 0 | 3;
  ac?: 0 | 1;
  pkru?: number;
  maxPhyAddr?: number;
  cr3?: number;
}

export function makeMmu(t: Tables, s: State = {}, tlb?: TlbConfig | 'none'): Mmu {
  const m = new Mmu(t.mem, tlb);
  m.maxPhyAddr = s.maxPhyAddr ?? 46;
  m.writeCr4((s.cr4 ?? 0) | CR4_PAE | (t.levels === 5 ? CR4_LA57 : 0));
  m.writeCr3(s.cr3 ?? t.root);
  m.writeCr0(s.cr0 ?? CR0_BASE | CR0_WP);
  m.efer = s.efer ?? EFER_LMA_LME | EFER_NXE;
  m.setCpl(s.cpl ?? 0);
  m.setAc(s.ac ?? 0);
  m.setPkru(s.pkru ?? 0);
  m.itlb.resetStats();
  m.dtlb.resetStats();
  return m;
}

export type Outcome = { pa: number } | { vector: number; error: number };

export function lo32(va: bigint): number {
  return Number(BigInt.asIntN(32, va));
}
export function hi32(va: bigint): number {
  return Number(BigInt.asIntN(32, va >> 32n));
}

/** One access; a trap comes back as {vector, error}. */
export function access(m: Mmu, va: bigint, kind: Access, implicit = false): Outcome {
  try {
    return { pa: m.translate(lo32(va), hi32(va), kind, implicit) };
  } catch (e) {
    if (!isTrap(e)) throw e;
    return { vector: m.trap.vector, error: m.trap.error };
  }
}

export const read = (m: Mmu, va: bigint, implicit = false): Outcome => access(m, va, Access.Read, implicit);
export const write = (m: Mmu, va: bigint, implicit = false): Outcome => access(m, va, Access.Write, implicit);
export const fetch = (m: Mmu, va: bigint): Outcome => access(m, va, Access.Fetch);
export const pf = (error: number): Outcome => ({ vector: 14, error });

export interface EntryArbOptions {
  /** Tables in the pool: a table entry points at tableAddr(0 .. tables - 1). */
  tables: number;
  tableAddr: (k: number) => number;
  /** Frames a large-page (or PAT-flagged 4K) entry may map: largeFrame(0 .. largeFrames - 1). */
  largeFrames: number;
  largeFrame: (n: number) => bigint;
}

/**
 * A random paging-structure entry for table graphs over a pool of tables
 * (shared and cyclic pointers included): not present, a pointer into the
 * pool (a 4K leaf mapping a table page when it sits at level 1), or a
 * large-page frame; random flag bits 8:0 (A/D preset or not, G), XD,
 * a protection key, and now and then a reserved bit.
 */
export function pagingEntryArb(o: EntryArbOptions): fc.Arbitrary<bigint> {
  return fc
    .record({
      kind: fc.constantFrom('absent', 'table', 'table', 'table', 'table', 'table', 'table', 'large', 'large'),
      target: fc.nat(o.tables - 1),
      frame1g: fc.nat(o.largeFrames - 1),
      low: fc.nat(0x1ff), // flag bits 8:0 (P is set below, except for 'absent')
      xd: fc.constantFrom(false, false, false, false, true),
      pkey: fc.nat(15),
      rsvd: fc.oneof({ weight: 27, arbitrary: fc.constant(0n) }, fc.constantFrom(1n << 47n, 1n << 13n, 1n << 21n)),
    })
    .map((e) => {
      const flags = BigInt(e.low & ~0x80) | (e.xd ? 1n << 63n : 0n) | (BigInt(e.pkey) << 59n);
      if (e.kind === 'absent') return flags & ~1n;
      if (e.kind === 'table') return BigInt(o.tableAddr(e.target)) | flags | 1n | e.rsvd;
      return o.largeFrame(e.frame1g) | flags | 0x81n | e.rsvd;
    });
}
