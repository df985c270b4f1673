// The buddy page allocator over guest RAM frames (Linux mm/page_alloc.c).
//
// One node, one zone ("Normal"), orders 0..MAX_PAGE_ORDER. Each order has an
// intrusive doubly-linked free list threaded through MemMap.lruNext/lruPrev
// (Linux threads page->buddy_list the same way), kept sorted by pfn so that
// allocation is deterministic: the lowest free block of the smallest order that
// fits. Sorted insertion finds its predecessor in a per-order hierarchical
// bitmap, so both allocation and free stay O(MAX_PAGE_ORDER * log32 frames)
// and allocate nothing.
//
// Misuse by the kernel (double free, freeing a tail page, wrong order, freeing
// a reserved or still-mapped page) is a broken invariant and throws; running
// out of memory is not, and allocPages returns -1 (the caller answers -ENOMEM).

import {
  MemMap,
  NR_OWNERS,
  OWNER_NAMES,
  Owner,
  PAGE_SIZE,
  PG_buddy,
  PG_pcp,
  PG_head,
  PG_reserved,
  PG_tail,
  physToPfn,
} from './page';

/** Largest order the allocator hands out (Linux MAX_PAGE_ORDER, formerly MAX_ORDER). */
export const MAX_PAGE_ORDER = 10;
export const NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1;

/** Linux's migrate types, reported by the mm_page_alloc tracepoint. */
export const MIGRATE_UNMOVABLE = 0;
export const MIGRATE_MOVABLE = 1;
export const MIGRATE_RECLAIMABLE = 2;

/** Listener for the kmem:mm_page_alloc and kmem:mm_page_free tracepoints. */
export interface MmPageTrace {
  mmPageAlloc(pfn: number, order: number, migratetype: number): void;
  mmPageFree(pfn: number, order: number): void;
}

/** A physical byte range [start, end) kept away from the allocator at boot. */
export interface ReservedRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Linux's per-CPU page lists (struct per_cpu_pages) for order-0 pages: frees
 * go to the list and the most recently freed page is handed out first (LIFO,
 * cache-hot); an empty list is refilled with `batch` pages from the buddy
 * lists (rmqueue_bulk), a list above `high` gives its `batch` oldest back.
 * With `shuffle`, each refill is put in random order, as Linux's
 * page_alloc.shuffle randomizes the free lists (vmlab does it per page
 * rather than per 4 MiB block, standing in for the fragmentation of a
 * long-running system, so that consecutive faults don't get consecutive
 * frames). Without pcp (the default here) order-0 pages come straight from
 * the buddy lists, lowest first.
 */
export interface PcpOptions {
  readonly batch: number;
  readonly high: number;
  /** A seeded random source in [0, 1) to shuffle refills, or null. */
  readonly shuffle: (() => number) | null;
}

export interface BuddyOptions {
  readonly nrFrames: number;
  readonly pcp?: PcpOptions;
  /** Rounded outwards to whole frames. Frame 0 is always reserved (x86 reserves it too). */
  readonly reserved?: readonly ReservedRange[];
}

/** Linux get_order(): the smallest order whose block holds size bytes (size >= 1). */
export function getOrder(size: number): number {
  let order = 0;
  while (PAGE_SIZE * 2 ** order < size) order++;
  return order;
}

// A bitmap with summary levels: bit i of level k+1 says word i of level k is
// non-zero. Finds the highest set bit below a given index in a few word steps.
class SummaryBitmap {
  private readonly levels: Uint32Array[] = [];

  constructor(nbits: number) {
    let n = Math.max(nbits, 1);
    do {
      const words = Math.ceil(n / 32);
      this.levels.push(new Uint32Array(words));
      n = words;
    } while (n > 1);
  }

  set(i: number): void {
    for (const level of this.levels) {
      const w = i >>> 5;
      const was = level[w]!;
      level[w] = was | (1 << (i & 31));
      if (was !== 0) return;
      i = w;
    }
  }

  clear(i: number): void {
    for (const level of this.levels) {
      const w = i >>> 5;
      const now = level[w]! & ~(1 << (i & 31));
      level[w] = now;
      if (now !== 0) return;
      i = w;
    }
  }

  /** Highest set index strictly below i, or -1. */
  prev(i: number): number {
    const levels = this.levels;
    for (let k = 0; k < levels.length; k++) {
      const w = i >>> 5;
      const below = levels[k]![w]! & ((1 << (i & 31)) - 1);
      if (below !== 0) {
        let j = (w << 5) + 31 - Math.clz32(below);
        for (let d = k - 1; d >= 0; d--) j = (j << 5) + 31 - Math.clz32(levels[d]![j]!);
        return j;
      }
      i = w;
    }
    return -1;
  }
}

export class BuddyAllocator {
  readonly mem: MemMap;
  readonly nrFrames: number;
  /** Listener for kmem:mm_page_alloc / kmem:mm_page_free; null when tracing is off. */
  trace: MmPageTrace | null = null;
  /**
   * 1 for frames never handed out since boot: guest RAM starts zeroed, so such
   * a frame needs no clearing (allocZeroedPage). Any allocation clears it.
   */
  private readonly pristine: Uint8Array;
  private lastPristine = 0;

  // free_area[order]: list head (lowest pfn), block count, membership bitmap.
  private readonly freeHead = new Int32Array(NR_PAGE_ORDERS).fill(-1);
  private readonly nrFree = new Float64Array(NR_PAGE_ORDERS);
  private readonly present: SummaryBitmap[] = [];
  private readonly ownerPages = new Float64Array(NR_OWNERS);
  private freePages_ = 0;
  private reservedPages_ = 0;
  private readonly pcp: PcpOptions | null;
  /** The per-CPU list: oldest at index 0, next to hand out at the end. */
  private readonly pcpList: number[] = [];

  constructor(opts: BuddyOptions) {
    this.nrFrames = opts.nrFrames;
    this.pcp = opts.pcp ?? null;
    this.mem = new MemMap(opts.nrFrames);
    this.pristine = new Uint8Array(opts.nrFrames).fill(1);
    for (let o = 0; o <= MAX_PAGE_ORDER; o++)
      this.present.push(new SummaryBitmap(Math.ceil(opts.nrFrames / 2 ** o)));
    this.reserve(0, 1);
    for (const r of opts.reserved ?? []) {
      if (!(r.end >= r.start) || r.start < 0) throw new Error(`bad reserved range [${r.start}, ${r.end})`);
      if (r.end === r.start) continue;
      this.reserve(physToPfn(r.start), Math.min(Math.ceil(r.end / PAGE_SIZE), this.nrFrames));
    }
    this.freeAllUnreserved();
  }

  private reserve(startPfn: number, endPfn: number): void {
    const m = this.mem;
    for (let pfn = startPfn; pfn < endPfn; pfn++) {
      if (m.flags[pfn]! & PG_reserved) continue;
      m.flags[pfn] = PG_reserved;
      m.refcount[pfn] = 1;
      m.owner[pfn] = Owner.Kernel;
      this.reservedPages_++;
    }
  }

  // Linux memblock_free_all(): hand every unreserved frame to the free lists as
  // maximal naturally aligned blocks, which is exactly the coalesced state.
  private freeAllUnreserved(): void {
    const m = this.mem;
    let pfn = 0;
    while (pfn < this.nrFrames) {
      if (m.flags[pfn]! & PG_reserved) {
        pfn++;
        continue;
      }
      let order = 0;
      while (
        order < MAX_PAGE_ORDER &&
        (pfn & ((2 << order) - 1)) === 0 &&
        this.runIsFree(pfn + (1 << order), 1 << order)
      )
        order++;
      this.addToFreeList(pfn, order);
      this.freePages_ += 1 << order;
      pfn += 1 << order;
    }
  }

  private runIsFree(pfn: number, n: number): boolean {
    if (pfn + n > this.nrFrames) return false;
    for (let i = pfn; i < pfn + n; i++) if (this.mem.flags[i]! & PG_reserved) return false;
    return true;
  }

  private addToFreeList(pfn: number, order: number): void {
    const m = this.mem;
    const idx = pfn >>> order;
    const bitmap = this.present[order]!;
    const pred = bitmap.prev(idx);
    if (pred < 0) {
      const next = this.freeHead[order]!;
      m.lruPrev[pfn] = -1;
      m.lruNext[pfn] = next;
      if (next >= 0) m.lruPrev[next] = pfn;
      this.freeHead[order] = pfn;
    } else {
      const prevPfn = pred << order;
      const next = m.lruNext[prevPfn]!;
      m.lruPrev[pfn] = prevPfn;
      m.lruNext[pfn] = next;
      m.lruNext[prevPfn] = pfn;
      if (next >= 0) m.lruPrev[next] = pfn;
    }
    bitmap.set(idx);
    m.flags[pfn] = PG_buddy;
    m.order[pfn] = order;
    m.owner[pfn] = Owner.Free;
    this.nrFree[order]!++;
  }

  private delFromFreeList(pfn: number, order: number): void {
    const m = this.mem;
    const prev = m.lruPrev[pfn]!;
    const next = m.lruNext[pfn]!;
    if (prev >= 0) m.lruNext[prev] = next;
    else this.freeHead[order] = next;
    if (next >= 0) m.lruPrev[next] = prev;
    m.lruNext[pfn] = -1;
    m.lruPrev[pfn] = -1;
    this.present[order]!.clear(pfn >>> order);
    m.flags[pfn] = 0;
    m.order[pfn] = 0;
    this.nrFree[order]!--;
  }

  /**
   * Allocate 2^order contiguous frames for owner; returns the head pfn, or -1 when
   * no block is large enough. Mirrors __rmqueue_smallest + expand(): take the first
   * block of the smallest non-empty order, give the upper halves back. Blocks of
   * order > 0 are compound pages (PG_head, tails point at the head), refcount 1.
   */
  allocPages(order: number, owner: Owner): number {
    if (!(order >= 0 && order <= MAX_PAGE_ORDER) || !Number.isInteger(order))
      throw new Error(`allocPages: order ${order} outside 0..${MAX_PAGE_ORDER}`);
    if (owner === Owner.Free) throw new Error('allocPages: owner must not be Owner.Free');
    const pfn = order === 0 && this.pcp !== null ? this.pcpTake() : this.rmqueue(order);
    if (pfn < 0) return -1;
    const m = this.mem;
    m.refcount[pfn] = 1;
    m.owner[pfn] = owner;
    if (order > 0) {
      m.flags[pfn] = PG_head;
      m.order[pfn] = order;
      const end = pfn + (1 << order);
      for (let t = pfn + 1; t < end; t++) {
        m.flags[t] = PG_tail;
        m.owner[t] = owner;
        m.priv[t] = pfn;
      }
    }
    if (order === 0) {
      this.lastPristine = this.pristine[pfn]!;
      this.pristine[pfn] = 0;
    } else {
      this.lastPristine = 0;
      this.pristine.fill(0, pfn, pfn + (1 << order));
    }
    this.freePages_ -= 1 << order;
    this.ownerPages[owner]! += 1 << order;
    if (this.trace) this.trace.mmPageAlloc(pfn, order, migratetypeOf(owner));
    return pfn;
  }

  // __rmqueue_smallest + expand(): the first block of the smallest non-empty
  // order, upper halves given back; -1 when none is large enough.
  private rmqueue(order: number): number {
    let o = order;
    while (o <= MAX_PAGE_ORDER && this.freeHead[o]! < 0) o++;
    if (o > MAX_PAGE_ORDER) return -1;
    const pfn = this.freeHead[o]!;
    this.delFromFreeList(pfn, o);
    while (o > order) {
      o--;
      this.addToFreeList(pfn + (1 << o), o);
    }
    return pfn;
  }

  // rmqueue_pcplist(): the most recently freed page; an empty list is refilled
  // first (rmqueue_bulk), shuffled when asked.
  private pcpTake(): number {
    const list = this.pcpList;
    if (list.length === 0) {
      const { batch, shuffle } = this.pcp!;
      for (let i = 0; i < batch; i++) {
        const pfn = this.rmqueue(0);
        if (pfn < 0) break;
        this.mem.flags[pfn] = PG_pcp;
        list.push(pfn);
      }
      if (list.length === 0) return -1;
      // Handed out from the end: reverse so a plain refill gives ascending frames, as Linux's list order does.
      list.reverse();
      if (shuffle !== null) {
        for (let i = list.length - 1; i > 0; i--) {
          const j = Math.floor(shuffle() * (i + 1));
          const t = list[i]!;
          list[i] = list[j]!;
          list[j] = t;
        }
      }
    }
    const pfn = list.pop()!;
    this.mem.flags[pfn] = 0;
    return pfn;
  }

  /** Free order-0 pages held on the per-CPU list (counted as free, not in buddyinfo: Linux's too). */
  get nrPcpPages(): number {
    return this.pcpList.length;
  }

  /**
   * One frame whose contents are zero (Linux alloc_page(__GFP_ZERO)): zeroed
   * with `clear` unless it was never allocated since boot. -1 when memory is out.
   */
  allocZeroedPage(owner: Owner, clear: (pfn: number) => void): number {
    const pfn = this.allocPages(0, owner);
    if (pfn >= 0 && this.lastPristine === 0) clear(pfn);
    return pfn;
  }

  /**
   * Drop the allocation reference on a block from allocPages (Linux __free_pages):
   * the block returns to the free lists when its refcount reaches zero.
   */
  freePages(pfn: number, order: number): void {
    const m = this.mem;
    m.checkPfn(pfn);
    const f = m.flags[pfn]!;
    const hex = pfn.toString(16);
    if (f & PG_reserved) throw new Error(`freeing reserved page pfn 0x${hex}`);
    if (f & PG_tail) throw new Error(`freeing tail page pfn 0x${hex} (head is 0x${m.priv[pfn]!.toString(16)})`);
    if (m.refcount[pfn] === 0) throw new Error(`double free of pfn 0x${hex} order ${order}`);
    const actual = f & PG_head ? m.order[pfn]! : 0;
    if (actual !== order) throw new Error(`freeing pfn 0x${hex} with order ${order}, allocated with order ${actual}`);
    if (m.pageRefDecAndTest(pfn)) this.freeOnePage(pfn, order);
  }

  /** Linux get_page(): take a reference on the (compound) page containing pfn. */
  getPage(pfn: number): void {
    this.mem.checkPfn(pfn);
    this.mem.pageRefInc(this.mem.compoundHead(pfn));
  }

  /** Linux put_page(): drop a reference; the last one frees the whole compound page. */
  putPage(pfn: number): void {
    const m = this.mem;
    m.checkPfn(pfn);
    const head = m.compoundHead(pfn);
    if (m.flags[head]! & PG_reserved) throw new Error(`put_page on reserved pfn 0x${head.toString(16)}`);
    if (m.pageRefDecAndTest(head)) this.freeOnePage(head, m.flags[head]! & PG_head ? m.order[head]! : 0);
  }

  // Linux free_pages_prepare() + __free_one_page(): check, clear, coalesce upwards.
  private freeOnePage(pfn: number, order: number): void {
    const m = this.mem;
    if (m.mapcount[pfn] !== -1)
      throw new Error(`freeing pfn 0x${pfn.toString(16)} still mapped (mapcount ${m.pageMapcount(pfn)})`);
    const owner = m.owner[pfn]! as Owner;
    const end = pfn + (1 << order);
    for (let t = pfn; t < end; t++) {
      m.flags[t] = 0;
      m.owner[t] = Owner.Free;
      m.priv[t] = 0;
    }
    m.order[pfn] = 0;
    this.ownerPages[owner]! -= 1 << order;
    this.freePages_ += 1 << order;
    if (this.trace) this.trace.mmPageFree(pfn, order);
    if (order === 0 && this.pcp !== null) {
      // free_unref_page(): onto the per-CPU list; above `high`, the oldest `batch` go back (free_pcppages_bulk).
      m.flags[pfn] = PG_pcp;
      this.pcpList.push(pfn);
      if (this.pcpList.length > this.pcp.high)
        for (const old of this.pcpList.splice(0, this.pcp.batch)) this.mergeFree(old, 0);
      return;
    }
    this.mergeFree(pfn, order);
  }

  // __free_one_page(): coalesce a free block with its buddies upwards.
  private mergeFree(pfn: number, order: number): void {
    const m = this.mem;
    m.flags[pfn] = 0;
    while (order < MAX_PAGE_ORDER) {
      const buddy = pfn ^ (1 << order);
      if (buddy >= this.nrFrames || !(m.flags[buddy]! & PG_buddy) || m.order[buddy] !== order) break;
      this.delFromFreeList(buddy, order);
      pfn &= buddy;
      order++;
    }
    this.addToFreeList(pfn, order);
  }

  /** Head pfns of the free blocks of one order, lowest first. */
  freeList(order: number): number[] {
    const out: number[] = [];
    for (let p = this.freeHead[order]!; p >= 0; p = this.mem.lruNext[p]!) out.push(p);
    return out;
  }

  /** Free block counts per order (Linux zone->free_area[order].nr_free). */
  freeBlocks(): number[] {
    return Array.from(this.nrFree);
  }

  get nrFreePages(): number {
    return this.freePages_;
  }

  get nrReservedPages(): number {
    return this.reservedPages_;
  }

  /** Frames the allocator manages (Linux totalram_pages: all minus reserved). */
  get nrManagedPages(): number {
    return this.nrFrames - this.reservedPages_;
  }

  /** Managed frames currently allocated (meminfo's MemTotal - MemFree, in pages). */
  get nrUsedPages(): number {
    return this.nrManagedPages - this.freePages_;
  }

  /** Frames currently allocated to owner. */
  pagesOwnedBy(owner: Owner): number {
    return owner === Owner.Free ? this.freePages_ : this.ownerPages[owner]!;
  }

  /** /proc/buddyinfo, as Linux frag_show_print() prints it (note the trailing space). */
  buddyinfo(): string {
    let s = 'Node 0, zone   Normal ';
    for (let o = 0; o <= MAX_PAGE_ORDER; o++) s += `${String(this.nrFree[o]).padStart(6)} `;
    return s + '\n';
  }

  /** Allocated pages per owner, for meminfo-style summaries. */
  ownerSummary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let o = 1; o < NR_OWNERS; o++) out[OWNER_NAMES[o]!] = this.ownerPages[o]!;
    return out;
  }
}

function migratetypeOf(owner: Owner): number {
  return owner === Owner.Anon || owner === Owner.Pagecache ? MIGRATE_MOVABLE : MIGRATE_UNMOVABLE;
}

/**
 * Micro-benchmark for `vmlab bench`: ns per order-0 allocPages+freePages pair on a
 * 1 GiB machine whose low memory is fragmented by a few thousand live pages.
 */
export function benchBuddy(pairs = 1_000_000): number {
  const b = new BuddyAllocator({ nrFrames: 1 << 18, reserved: [{ start: 0, end: 1 << 20 }] });
  const live: number[] = [];
  for (let i = 0; i < 8192; i++) live.push(b.allocPages(0, Owner.Kernel));
  for (let i = 0; i < live.length; i += 3) b.freePages(live[i]!, 0);
  const t0 = performance.now();
  for (let i = 0; i < pairs; i++) {
    const pfn = b.allocPages(0, Owner.Anon);
    b.freePages(pfn, 0);
  }
  return ((performance.now() - t0) * 1e6) / pairs;
}
