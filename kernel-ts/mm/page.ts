// Per-frame metadata in the spirit of Linux's struct page (include/linux/mm_types.h),
// laid out as struct-of-arrays: one typed array per field, indexed by pfn, so that
// 16 GiB of guest RAM (4M frames) costs ~26 bytes a frame and no object per frame.
//
// Field meanings follow Linux:
//   refcount  page->_refcount   0 = free (or not yet handed to the allocator)
//   mapcount  page->_mapcount   biased by -1 as in Linux: -1 means "not mapped";
//                               pageMapcount() returns the unbiased count
//   flags     page->flags       the PG_* bits below
//   order     buddy order while PG_buddy; compound order on a PG_head page
//   owner     who holds the frame (Owner tag below), for meminfo and the debugger
//   priv      page->private     slab id on a slab head, page-cache index, and on a
//                               PG_tail page the pfn of its head (Linux keeps the
//                               head pointer in the tail's compound_head word)
//   lruNext/lruPrev  page->lru  intrusive list links, used by the buddy free lists

/** The machine's base page (emu/machine/mmu/paging.ts); the kernel's code reads them from here. */
export { PAGE_SHIFT, PAGE_SIZE } from '../../emu/machine/mmu/paging';
import { PAGE_SIZE } from '../../emu/machine/mmu/paging';

/**
 * Linux PAGE_ALIGN() of an unsigned long: n rounded up to a page. As in C, a
 * value within a page of 2^64 wraps to 0 (a length that "rounds up from a
 * small negative number", which the syscalls refuse).
 */
export function pageAlign(n: number): number {
  const r = Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
  return r >= 2 ** 64 ? r - 2 ** 64 : r;
}

/** Page flag bits (include/linux/page-flags.h names; bit positions are vmlab's). */
export const PG_locked = 1 << 0;
export const PG_referenced = 1 << 1;
export const PG_uptodate = 1 << 2;
export const PG_dirty = 1 << 3;
export const PG_lru = 1 << 4;
export const PG_head = 1 << 5;
export const PG_tail = 1 << 6;
export const PG_reserved = 1 << 7;
export const PG_swapbacked = 1 << 8;
export const PG_anon = 1 << 9;
/** Page types (Linux keeps these in page->page_type; here they are flags too). */
export const PG_buddy = 1 << 10;
export const PG_slab = 1 << 11;
export const PG_pgtable = 1 << 12;
export const PG_large_kmalloc = 1 << 13;
/** A free order-0 page on the per-CPU list (vmlab's stand-in for Linux's pcp bookkeeping; Linux tracks it in page->pcp_list). */
export const PG_pcp = 1 << 14;

const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [PG_locked, 'locked'],
  [PG_referenced, 'referenced'],
  [PG_uptodate, 'uptodate'],
  [PG_dirty, 'dirty'],
  [PG_lru, 'lru'],
  [PG_head, 'head'],
  [PG_tail, 'tail'],
  [PG_reserved, 'reserved'],
  [PG_swapbacked, 'swapbacked'],
  [PG_anon, 'anon'],
  [PG_buddy, 'buddy'],
  [PG_slab, 'slab'],
  [PG_pgtable, 'pgtable'],
  [PG_large_kmalloc, 'large_kmalloc'],
  [PG_pcp, 'pcp'],
];

/** Page flags as Linux's %pGp prints them: `dirty|lru|head`. */
export function formatPageFlags(flags: number): string {
  const names: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if (flags & bit) names.push(name);
  return names.join('|');
}

/** Who owns a frame. Free frames are owned by the buddy allocator. */
export const Owner = {
  Free: 0,
  Kernel: 1,
  Slab: 2,
  Pgtable: 3,
  Anon: 4,
  Pagecache: 5,
  Vmalloc: 6,
  Module: 7,
} as const;
export type Owner = (typeof Owner)[keyof typeof Owner];
export const NR_OWNERS = 8;
export const OWNER_NAMES: readonly string[] = [
  'free',
  'kernel',
  'slab',
  'pgtable',
  'anon',
  'pagecache',
  'vmalloc',
  'module',
];

/** pfn of a physical address. pa may exceed 2^32, so no `>>>`. */
export function physToPfn(pa: number): number {
  return Math.floor(pa / PAGE_SIZE);
}

/** Physical address of a frame (Linux: PFN_PHYS). */
export function pfnToPhys(pfn: number): number {
  return pfn * PAGE_SIZE;
}

/**
 * The frame table (Linux: mem_map, with pfn_to_page/page_to_pfn being the
 * identity here because a "page" is named by its pfn).
 */
export class MemMap {
  readonly nrFrames: number;
  readonly refcount: Int32Array;
  readonly mapcount: Int32Array;
  readonly flags: Uint32Array;
  readonly order: Uint8Array;
  readonly owner: Uint8Array;
  readonly priv: Uint32Array;
  readonly lruNext: Int32Array;
  readonly lruPrev: Int32Array;

  constructor(nrFrames: number) {
    if (!Number.isInteger(nrFrames) || nrFrames <= 0 || nrFrames > 0x7fffffff)
      throw new Error(`MemMap: bad frame count ${nrFrames}`);
    this.nrFrames = nrFrames;
    this.refcount = new Int32Array(nrFrames);
    this.mapcount = new Int32Array(nrFrames).fill(-1);
    this.flags = new Uint32Array(nrFrames);
    this.order = new Uint8Array(nrFrames);
    this.owner = new Uint8Array(nrFrames);
    this.priv = new Uint32Array(nrFrames);
    this.lruNext = new Int32Array(nrFrames).fill(-1);
    this.lruPrev = new Int32Array(nrFrames).fill(-1);
  }

  /** Throws unless pfn names a frame of this map (a broken kernel invariant). */
  checkPfn(pfn: number): void {
    if (!Number.isInteger(pfn) || pfn < 0 || pfn >= this.nrFrames)
      throw new Error(`pfn 0x${pfn.toString(16)} outside mem_map (0..0x${(this.nrFrames - 1).toString(16)})`);
  }

  /** Linux page_to_pfn/pfn_to_page are the identity here; this one validates. */
  pfnValid(pfn: number): boolean {
    return Number.isInteger(pfn) && pfn >= 0 && pfn < this.nrFrames;
  }

  testFlag(pfn: number, flag: number): boolean {
    return (this.flags[pfn]! & flag) !== 0;
  }

  setFlag(pfn: number, flag: number): void {
    this.flags[pfn] = this.flags[pfn]! | flag;
  }

  clearFlag(pfn: number, flag: number): void {
    this.flags[pfn] = this.flags[pfn]! & ~flag;
  }

  /** Linux compound_head(): the head pfn of the compound page pfn belongs to. */
  compoundHead(pfn: number): number {
    return this.flags[pfn]! & PG_tail ? this.priv[pfn]! : pfn;
  }

  /** Linux page_mapcount(): the number of page-table entries mapping the frame. */
  pageMapcount(pfn: number): number {
    return this.mapcount[pfn]! + 1;
  }

  /** Linux page_ref_inc() as used by get_page(): the page must already be live. */
  pageRefInc(pfn: number): void {
    const r = this.refcount[pfn]!;
    if (r <= 0) throw new Error(`get_page on pfn 0x${pfn.toString(16)} with refcount ${r}`);
    this.refcount[pfn] = r + 1;
  }

  /** Linux page_ref_dec_and_test(): true when the last reference went away. */
  pageRefDecAndTest(pfn: number): boolean {
    const r = this.refcount[pfn]!;
    if (r <= 0) throw new Error(`put_page on pfn 0x${pfn.toString(16)} with refcount ${r} (double free?)`);
    this.refcount[pfn] = r - 1;
    return r === 1;
  }

  /** One frame's state as the debugger and dump_page() print it. */
  describe(pfn: number): string {
    this.checkPfn(pfn);
    const f = this.flags[pfn]!;
    let s =
      `pfn:0x${pfn.toString(16)} refcount:${this.refcount[pfn]} mapcount:${this.pageMapcount(pfn)}` +
      ` owner:${OWNER_NAMES[this.owner[pfn]!]}`;
    if (f & (PG_buddy | PG_head)) s += ` order:${this.order[pfn]}`;
    if (f & PG_tail) s += ` head:0x${this.priv[pfn]!.toString(16)}`;
    return `${s} flags:(${formatPageFlags(f)})`;
  }
}
