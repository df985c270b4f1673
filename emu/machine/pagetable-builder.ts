// Builds x86-64 page tables in guest physical memory, for tests, the bench
// and demos that run before (or without) the kernel, which keeps its own
// (kernel-ts/mm). Tables come from a bump allocator over a physical range
// the caller sets aside. Addresses are BigInts or numbers: this is set-up
// code, never the hot path.
import type { GuestMemory } from './mem/phys';
import { read64Big, write64Big } from './mem/phys';
import { PAGE_SHIFT_1G, PAGE_SHIFT_2M, PAGE_SHIFT_4K, PAGE_SIZE, PTE_P, PTE_PS, PTE_RW, PTE_US } from './mmu/paging';

/** Page sizes, as the shift of the size (paging.ts PAGE_SHIFT_*). */
export const PageSize = { Size4K: PAGE_SHIFT_4K, Size2M: PAGE_SHIFT_2M, Size1G: PAGE_SHIFT_1G } as const;
export type PageSize = (typeof PageSize)[keyof typeof PageSize];

const ADDR_MASK = 0x000ffffffffff000n;
/** Non-leaf entries allow everything; the leaf's flags decide (rights are ANDed over levels, SDM 4.6.1). */
const TABLE_FLAGS = BigInt(PTE_P | PTE_RW | PTE_US);

export interface PageTableBuilderOptions {
  /** First byte of the physical range tables are allocated from (4K aligned). */
  tablesAt: number;
  /** End of that range (exclusive). */
  tablesEnd: number;
  /** 4-level (default) or 5-level paging (CR4.LA57). */
  levels?: 4 | 5;
}

export class PageTableBuilder {
  /** Physical address of the top-level table: CR3's address bits. */
  readonly root: number;
  readonly levels: 4 | 5;
  private next: number;
  private readonly end: number;

  constructor(
    private readonly mem: GuestMemory,
    opts: PageTableBuilderOptions,
  ) {
    if (opts.tablesAt % PAGE_SIZE !== 0) throw new RangeError('tablesAt must be 4K aligned');
    this.levels = opts.levels ?? 4;
    this.next = opts.tablesAt;
    this.end = opts.tablesEnd;
    this.root = this.allocTable();
  }

  /** Bytes of table memory used so far. */
  get used(): number {
    return this.next - this.root;
  }

  /**
   * Maps one page of `size` at linear address va to physical pa; `flags` are
   * the leaf's PTE bits (P is added; PS too for 2M/1G). Re-mapping a page
   * replaces its leaf; it is an error to map over a table with a large page
   * or into a large page.
   */
  map(va: bigint | number, pa: bigint | number, size: PageSize, flags: bigint | number): void {
    const v = BigInt.asUintN(64, BigInt(va));
    const p = BigInt(pa);
    const span = 1n << BigInt(size);
    if (v % span !== 0n || p % span !== 0n) throw new RangeError(`map: va/pa not aligned to the page size`);
    let table = this.root;
    const leafLevel = size === PAGE_SHIFT_4K ? 1 : size === PAGE_SHIFT_2M ? 2 : 3;
    for (let level: number = this.levels; level > leafLevel; level--) {
      const entryPa = table + this.index(v, level) * 8;
      const e = read64Big(this.mem, entryPa);
      if ((e & BigInt(PTE_P)) === 0n) {
        const t = this.allocTable();
        write64Big(this.mem, entryPa, BigInt(t) | TABLE_FLAGS);
        table = t;
      } else {
        if ((e & BigInt(PTE_PS)) !== 0n) throw new Error(`map: ${hex(v)} lies in a large page`);
        table = Number(e & ADDR_MASK);
      }
    }
    const entryPa = table + this.index(v, leafLevel) * 8;
    const ps = leafLevel > 1 ? BigInt(PTE_PS) : 0n;
    write64Big(this.mem, entryPa, BigInt.asIntN(64, p | BigInt(flags) | BigInt(PTE_P) | ps));
  }

  /** Maps [va, va + len) to [pa, pa + len) with pages of `size`. */
  mapRange(va: bigint | number, pa: bigint | number, len: number, size: PageSize, flags: bigint | number): void {
    const span = 2 ** size;
    for (let off = 0; off < len; off += span) this.map(BigInt(va) + BigInt(off), BigInt(pa) + BigInt(off), size, flags);
  }

  /** The leaf entry's physical address for va, or -1 if some level is not present (no A/D side effects). */
  leafEntry(va: bigint | number): number {
    const v = BigInt.asUintN(64, BigInt(va));
    let table = this.root;
    for (let level: number = this.levels; level >= 1; level--) {
      const entryPa = table + this.index(v, level) * 8;
      const e = read64Big(this.mem, entryPa);
      if (level === 1 || (e & BigInt(PTE_PS)) !== 0n) return (e & BigInt(PTE_P)) !== 0n ? entryPa : -1;
      if ((e & BigInt(PTE_P)) === 0n) return -1;
      table = Number(e & ADDR_MASK);
    }
    return -1;
  }

  private index(v: bigint, level: number): number {
    return Number((v >> BigInt(12 + 9 * (level - 1))) & 511n);
  }

  private allocTable(): number {
    if (this.next + PAGE_SIZE > this.end) throw new Error('page-table builder: out of table memory');
    const t = this.next;
    this.next += PAGE_SIZE;
    this.mem.writeBytes(t, new Uint8Array(PAGE_SIZE));
    return t;
  }
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}
