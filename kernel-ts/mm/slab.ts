// kmalloc/kfree over the buddy allocator, shaped like Linux's SLUB (mm/slub.c,
// mm/slab_common.c): one kmem_cache per kmalloc size class, slabs of 2^order
// frames carved into equal objects, a current ("cpu") slab plus a partial list,
// and kmalloc_large for requests above KMALLOC_MAX_CACHE_SIZE (2 pages).
//
// Pointer representation. x86-64 kernel pointers live in the direct map at
// PAGE_OFFSET + pa, and PAGE_OFFSET (0xffff888000000000, or 0xff11000000000000
// with 5-level paging) is far above 2^53, so a kernel virtual address does not
// fit a double. Since the direct map is a bijection, a kmalloc pointer here IS
// its physical address (a plain number < 2^52): kmalloc returns pa, kfree takes
// pa, NULL is 0 (frame 0 is always reserved, so no object lives there) and
// ZERO_SIZE_PTR is 16 as in Linux. Where the virtual address is shown or handed
// to the guest, physToVirt() gives its 32-bit halves and fmtKva() its text; no
// BigInt, no allocation on the paths that matter.
//
// Object metadata (free lists, in-use bits) is kept host-side per slab rather
// than inside the free objects as SLUB does, so the allocator never touches
// guest memory; zeroing for __GFP_ZERO is therefore the caller's job.

import { BuddyAllocator, MAX_PAGE_ORDER, getOrder } from './buddy';
import { Owner, PAGE_SIZE, PG_large_kmalloc, PG_slab, physToPfn } from './page';
import { TWO32 } from '../../emu/machine/cpu/int64';

/** A 64-bit kernel virtual address as unsigned 32-bit halves. */
export interface KernelVa {
  readonly hi: number;
  readonly lo: number;
}

/** Linux x86-64 __PAGE_OFFSET_BASE_L4 and __PAGE_OFFSET_BASE_L5. */
export const PAGE_OFFSET_L4: KernelVa = Object.freeze({ hi: 0xffff8880, lo: 0 });
export const PAGE_OFFSET_L5: KernelVa = Object.freeze({ hi: 0xff110000, lo: 0 });

export const ZERO_SIZE_PTR = 16;
export const KMALLOC_MAX_CACHE_SIZE = 2 * PAGE_SIZE;
export const KMALLOC_MAX_SIZE = PAGE_SIZE * 2 ** MAX_PAGE_ORDER;
/** Slab orders stop here, as in SLUB (PAGE_ALLOC_COSTLY_ORDER). */
const SLUB_MAX_ORDER = 3;
/** SLUB's minimum objects per slab for a one-CPU machine: 4 * (fls(1) + 1). */
const SLUB_MIN_OBJECTS = 8;
/** SLUB's MIN_PARTIAL: empty slabs kept on a cache's partial list before freeing. */
export const MIN_PARTIAL = 5;

/** GFP flags (names as include/linux/gfp_types.h; bit positions are vmlab's). */
export const __GFP_IO = 1 << 0;
export const __GFP_FS = 1 << 1;
export const __GFP_RECLAIM = 1 << 2;
export const __GFP_ZERO = 1 << 3;
export const __GFP_COMP = 1 << 4;
export const __GFP_NOWARN = 1 << 5;
export const __GFP_ACCOUNT = 1 << 6;
export const GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
export const GFP_KERNEL_ACCOUNT = GFP_KERNEL | __GFP_ACCOUNT;

/** GFP flags as the kmem tracepoints print them (Linux show_gfp_flags). */
export function formatGfpFlags(gfp: number): string {
  const parts: string[] = [];
  let rest = gfp;
  if ((rest & GFP_KERNEL) === GFP_KERNEL) {
    parts.push('GFP_KERNEL');
    rest &= ~GFP_KERNEL;
  }
  const names: ReadonlyArray<readonly [number, string]> = [
    [__GFP_IO, '__GFP_IO'],
    [__GFP_FS, '__GFP_FS'],
    [__GFP_RECLAIM, '__GFP_RECLAIM'],
    [__GFP_ZERO, '__GFP_ZERO'],
    [__GFP_COMP, '__GFP_COMP'],
    [__GFP_NOWARN, '__GFP_NOWARN'],
    [__GFP_ACCOUNT, '__GFP_ACCOUNT'],
  ];
  for (const [bit, name] of names) if (rest & bit) parts.push(name);
  return parts.length ? parts.join('|') : '0';
}

/** Payload of kmem:kmalloc. ptr is a kmalloc pointer (pa), 0 on failure. */
export interface KmallocEvent {
  readonly callSite: string;
  readonly ptr: number;
  readonly bytesReq: number;
  readonly bytesAlloc: number;
  readonly gfpFlags: number;
}

/** Payload of kmem:kfree. */
export interface KfreeEvent {
  readonly callSite: string;
  readonly ptr: number;
}

export interface KmemTrace {
  kmalloc(ev: KmallocEvent): void;
  kfree(ev: KfreeEvent): void;
}

class Slab {
  inuse = 0;
  onPartial = false;
  freeTop: number;
  // LIFO of free object indices: the most recently freed object is reused first,
  // as SLUB's freelist does. Initially lowest address on top.
  readonly freeStack: Uint16Array;
  readonly allocated: Uint8Array;

  constructor(
    readonly id: number,
    readonly cache: KmemCache,
    readonly headPfn: number,
  ) {
    const n = cache.objsPerSlab;
    this.freeStack = new Uint16Array(n);
    for (let i = 0; i < n; i++) this.freeStack[i] = n - 1 - i;
    this.freeTop = n;
    this.allocated = new Uint8Array(n);
  }
}

/** One kmalloc size class (Linux struct kmem_cache). */
export class KmemCache {
  readonly objsPerSlab: number;
  cpuSlab: Slab | null = null;
  readonly partial: Slab[] = [];
  nrSlabs = 0;
  activeObjs = 0;

  constructor(
    readonly name: string,
    readonly size: number,
    readonly order: number,
  ) {
    this.objsPerSlab = Math.floor((PAGE_SIZE << order) / size);
  }
}

/** Linux kmalloc_index() over this cache table: sizes 1..8192. */
const KMALLOC_SIZES = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192] as const;

function kmallocName(size: number): string {
  return size >= 1024 ? `kmalloc-${size / 1024}k` : `kmalloc-${size}`;
}

// SLUB calculate_order(), reduced to one CPU: the smallest order holding
// SLUB_MIN_OBJECTS objects, capped at SLUB_MAX_ORDER.
function slabOrder(size: number): number {
  return Math.min(SLUB_MAX_ORDER, getOrder(size * SLUB_MIN_OBJECTS));
}

export interface SlabOptions {
  /** PAGE_OFFSET_L4 or PAGE_OFFSET_L5. */
  readonly pageOffset: KernelVa;
  /** Empty slabs a cache keeps before returning pages to the buddy allocator. */
  readonly minPartial?: number;
}

export class SlabAllocator {
  readonly caches: readonly KmemCache[];
  readonly pageOffset: KernelVa;
  /** Listener for kmem:kmalloc / kmem:kfree; null when tracing is off. */
  trace: KmemTrace | null = null;
  private readonly minPartial: number;
  private readonly slabs: (Slab | undefined)[] = [];
  private readonly freeIds: number[] = [];

  constructor(
    readonly buddy: BuddyAllocator,
    opts: SlabOptions,
  ) {
    this.pageOffset = opts.pageOffset;
    this.minPartial = opts.minPartial ?? MIN_PARTIAL;
    this.caches = KMALLOC_SIZES.map((s) => new KmemCache(kmallocName(s), s, slabOrder(s)));
  }

  /** Linux kmalloc_slab(): the cache serving a request of size bytes (1..8192). */
  kmallocSlab(size: number): KmemCache {
    for (const c of this.caches) if (size <= c.size) return c;
    throw new Error(`kmallocSlab: ${size} bytes exceeds KMALLOC_MAX_CACHE_SIZE`);
  }

  /**
   * Linux kmalloc(): a pointer (= physical address, see header) to at least size
   * bytes, ZERO_SIZE_PTR for size 0, or 0 (NULL) when memory runs out.
   */
  kmalloc(size: number, gfp = GFP_KERNEL, callSite = 'kmalloc'): number {
    if (!Number.isInteger(size) || size < 0) throw new Error(`kmalloc: bad size ${size}`);
    if (size === 0) return ZERO_SIZE_PTR;
    if (size > KMALLOC_MAX_CACHE_SIZE) return this.kmallocLarge(size, gfp, callSite);
    const cache = this.kmallocSlab(size);
    const ptr = this.slabAlloc(cache);
    if (this.trace) this.trace.kmalloc({ callSite, ptr, bytesReq: size, bytesAlloc: cache.size, gfpFlags: gfp });
    return ptr;
  }

  // Linux __kmalloc_large_node(): a compound page straight from the buddy allocator.
  private kmallocLarge(size: number, gfp: number, callSite: string): number {
    const order = getOrder(size);
    let ptr = 0;
    if (order <= MAX_PAGE_ORDER) {
      const pfn = this.buddy.allocPages(order, Owner.Kernel);
      if (pfn >= 0) {
        this.buddy.mem.setFlag(pfn, PG_large_kmalloc);
        ptr = pfn * PAGE_SIZE;
      }
    }
    if (this.trace)
      this.trace.kmalloc({ callSite, ptr, bytesReq: size, bytesAlloc: PAGE_SIZE * 2 ** order, gfpFlags: gfp | __GFP_COMP });
    return ptr;
  }

  // SLUB ___slab_alloc() in miniature: cpu slab, else the first partial slab,
  // else a fresh slab from the buddy allocator.
  private slabAlloc(cache: KmemCache): number {
    let slab = cache.cpuSlab;
    if (slab === null || slab.freeTop === 0) {
      slab = cache.partial.shift() ?? null;
      if (slab) slab.onPartial = false;
      else slab = this.newSlab(cache);
      if (slab === null) return 0;
      cache.cpuSlab = slab;
    }
    const idx = slab.freeStack[--slab.freeTop]!;
    slab.allocated[idx] = 1;
    slab.inuse++;
    cache.activeObjs++;
    return slab.headPfn * PAGE_SIZE + idx * cache.size;
  }

  private newSlab(cache: KmemCache): Slab | null {
    const pfn = this.buddy.allocPages(cache.order, Owner.Slab);
    if (pfn < 0) return null;
    const id = this.freeIds.pop() ?? this.slabs.length;
    const slab = new Slab(id, cache, pfn);
    this.slabs[id] = slab;
    const mem = this.buddy.mem;
    mem.setFlag(pfn, PG_slab);
    mem.priv[pfn] = id;
    cache.nrSlabs++;
    return slab;
  }

  /**
   * Linux kfree(): release an object from kmalloc. NULL and ZERO_SIZE_PTR are
   * ignored; any other pointer not returned by kmalloc, or freed twice, is a
   * broken invariant and throws.
   */
  kfree(ptr: number, callSite = 'kfree'): void {
    if (this.trace) this.trace.kfree({ callSite, ptr });
    if (ptr === 0 || ptr === ZERO_SIZE_PTR) return;
    const mem = this.buddy.mem;
    const pfn = physToPfn(ptr);
    if (!Number.isInteger(ptr) || !mem.pfnValid(pfn)) throw new Error(`kfree of ${this.fmtKva(ptr)}: not a kmalloc pointer`);
    const head = mem.compoundHead(pfn);
    const flags = mem.flags[head]!;
    if (flags & PG_slab) return this.slabFree(this.slabs[mem.priv[head]!]!, ptr - head * PAGE_SIZE);
    if (flags & PG_large_kmalloc && ptr === head * PAGE_SIZE) {
      mem.clearFlag(head, PG_large_kmalloc);
      this.buddy.freePages(head, mem.order[head]!);
      return;
    }
    throw new Error(`kfree of ${this.fmtKva(ptr)}: not a kmalloc pointer (${mem.describe(head)})`);
  }

  private slabFree(slab: Slab, offset: number): void {
    const cache = slab.cache;
    const idx = offset / cache.size;
    const ptr = slab.headPfn * PAGE_SIZE + offset;
    if (!Number.isInteger(idx) || idx >= cache.objsPerSlab)
      throw new Error(`kfree of ${this.fmtKva(ptr)}: not the start of a ${cache.name} object`);
    if (!slab.allocated[idx]) throw new Error(`kfree of ${this.fmtKva(ptr)}: double free in ${cache.name}`);
    slab.allocated[idx] = 0;
    slab.freeStack[slab.freeTop++] = idx;
    slab.inuse--;
    cache.activeObjs--;
    if (slab === cache.cpuSlab) return;
    if (!slab.onPartial) {
      slab.onPartial = true;
      cache.partial.push(slab);
    }
    // SLUB __slab_free(): an empty slab goes back once nr_partial >= min_partial.
    if (slab.inuse === 0 && cache.partial.length >= this.minPartial) {
      cache.partial.splice(cache.partial.indexOf(slab), 1);
      this.discardSlab(slab);
    }
  }

  /**
   * Linux kmem_cache_shrink() of every kmalloc cache: the empty slabs kept on
   * the partial lists (and an empty CPU slab) go back to the buddy
   * allocator. Returns the slabs freed.
   */
  shrink(): number {
    let n = 0;
    for (const cache of this.caches) {
      for (const slab of cache.partial.filter((x) => x.inuse === 0)) {
        cache.partial.splice(cache.partial.indexOf(slab), 1);
        slab.onPartial = false;
        this.discardSlab(slab);
        n++;
      }
      const cpu = cache.cpuSlab;
      if (cpu !== null && cpu.inuse === 0) {
        cache.cpuSlab = null;
        this.discardSlab(cpu);
        n++;
      }
    }
    return n;
  }

  private discardSlab(slab: Slab): void {
    const mem = this.buddy.mem;
    mem.clearFlag(slab.headPfn, PG_slab);
    mem.priv[slab.headPfn] = 0;
    this.slabs[slab.id] = undefined;
    this.freeIds.push(slab.id);
    slab.cache.nrSlabs--;
    this.buddy.freePages(slab.headPfn, slab.cache.order);
  }

  /** Linux ksize(): the usable size of a live kmalloc object. */
  ksize(ptr: number): number {
    const mem = this.buddy.mem;
    const pfn = physToPfn(ptr);
    if (!mem.pfnValid(pfn)) throw new Error(`ksize of ${this.fmtKva(ptr)}: not a kmalloc pointer`);
    const head = mem.compoundHead(pfn);
    if (mem.flags[head]! & PG_slab) return this.slabs[mem.priv[head]!]!.cache.size;
    if (mem.flags[head]! & PG_large_kmalloc) return PAGE_SIZE * 2 ** mem.order[head]!;
    throw new Error(`ksize of ${this.fmtKva(ptr)}: not a kmalloc pointer`);
  }

  /** Linux phys_to_virt()/__va(): the direct-map address of pa as 32-bit halves. */
  physToVirt(pa: number): KernelVa {
    const lo = this.pageOffset.lo + (pa % TWO32);
    const hi = this.pageOffset.hi + Math.floor(pa / TWO32) + (lo >= TWO32 ? 1 : 0);
    return { hi: hi >>> 0, lo: lo >>> 0 };
  }

  /** Linux virt_to_phys()/__pa() for a direct-map address; -1 if va is outside it. */
  virtToPhys(va: KernelVa): number {
    const off = (va.hi - this.pageOffset.hi) * TWO32 + (va.lo - this.pageOffset.lo);
    return off >= 0 && off < 2 ** 52 ? off : -1;
  }

  /** A kmalloc pointer as Linux's %px prints it: NULL and ZERO_SIZE_PTR stay small. */
  fmtKva(ptr: number): string {
    if (ptr === 0 || ptr === ZERO_SIZE_PTR) return `0x${ptr.toString(16).padStart(16, '0')}`;
    const { hi, lo } = this.physToVirt(ptr);
    return `0x${hi.toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')}`;
  }

  /** /proc/slabinfo (version 2.1, SLUB's columns), newest cache first as Linux lists them. */
  slabinfo(): string {
    let s =
      'slabinfo - version: 2.1\n' +
      '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>' +
      ' : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n';
    for (let i = this.caches.length - 1; i >= 0; i--) {
      const c = this.caches[i]!;
      const numObjs = c.nrSlabs * c.objsPerSlab;
      s +=
        `${c.name.padEnd(17)} ${pad(c.activeObjs, 6)} ${pad(numObjs, 6)} ${pad(c.size, 6)}` +
        ` ${pad(c.objsPerSlab, 4)} ${pad(1 << c.order, 4)} : tunables ${pad(0, 4)} ${pad(0, 4)} ${pad(0, 4)}` +
        ` : slabdata ${pad(c.nrSlabs, 6)} ${pad(c.nrSlabs, 6)} ${pad(0, 6)}\n`;
    }
    return s;
  }
}

function pad(n: number, width: number): string {
  return String(n).padStart(width);
}
