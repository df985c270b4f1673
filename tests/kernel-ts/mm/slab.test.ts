import { describe, expect, it } from 'vitest';
import { BuddyAllocator } from '../../../kernel-ts/mm/buddy';
import { Owner, PG_buddy, PG_large_kmalloc, PG_slab } from '../../../kernel-ts/mm/page';
import {
  GFP_KERNEL,
  KMALLOC_MAX_SIZE,
  PAGE_OFFSET_L4,
  PAGE_OFFSET_L5,
  SlabAllocator,
  ZERO_SIZE_PTR,
  __GFP_COMP,
  __GFP_ZERO,
  formatGfpFlags,
} from '../../../kernel-ts/mm/slab';

const MiB = 1 << 20;

/** 4 MiB of RAM, the first MiB reserved: the buddy allocator starts handing out pfn 0x100. */
function machine(minPartial?: number): { buddy: BuddyAllocator; slab: SlabAllocator } {
  const buddy = new BuddyAllocator({ nrFrames: 1024, reserved: [{ start: 0, end: MiB }] });
  const slab = new SlabAllocator(buddy, { pageOffset: PAGE_OFFSET_L4, minPartial });
  return { buddy, slab };
}

describe('kmalloc caches', () => {
  it("has Linux's kmalloc size classes, slab orders and objects per slab", () => {
    const { slab } = machine();
    expect(slab.caches.map((c) => `${c.name}:${c.size}/o${c.order}/${c.objsPerSlab}`)).toEqual([
      'kmalloc-8:8/o0/512',
      'kmalloc-16:16/o0/256',
      'kmalloc-32:32/o0/128',
      'kmalloc-64:64/o0/64',
      'kmalloc-96:96/o0/42',
      'kmalloc-128:128/o0/32',
      'kmalloc-192:192/o0/21',
      'kmalloc-256:256/o0/16',
      'kmalloc-512:512/o0/8',
      'kmalloc-1k:1024/o1/8',
      'kmalloc-2k:2048/o2/8',
      'kmalloc-4k:4096/o3/8',
      'kmalloc-8k:8192/o3/4',
    ]);
  });

  it('selects the smallest cache that fits (kmalloc_slab)', () => {
    const { slab } = machine();
    const pick = (n: number) => slab.kmallocSlab(n).name;
    expect([1, 8, 9, 16, 33, 64, 65, 96, 97, 128, 129, 192, 193, 256, 257].map(pick)).toEqual([
      'kmalloc-8',
      'kmalloc-8',
      'kmalloc-16',
      'kmalloc-16',
      'kmalloc-64',
      'kmalloc-64',
      'kmalloc-96',
      'kmalloc-96',
      'kmalloc-128',
      'kmalloc-128',
      'kmalloc-192',
      'kmalloc-192',
      'kmalloc-256',
      'kmalloc-256',
      'kmalloc-512',
    ]);
    expect([1024, 1025, 4096, 8192].map(pick)).toEqual(['kmalloc-1k', 'kmalloc-2k', 'kmalloc-4k', 'kmalloc-8k']);
    expect(() => pick(8193)).toThrow('kmallocSlab: 8193 bytes exceeds KMALLOC_MAX_CACHE_SIZE');
  });
});

describe('kmalloc / kfree', () => {
  it('returns direct-map pointers carved from buddy pages, lowest object first', () => {
    const { buddy, slab } = machine();
    const a = slab.kmalloc(8);
    const b = slab.kmalloc(5);
    const c = slab.kmalloc(9);
    const d = slab.kmalloc(100);
    const e = slab.kmalloc(1000);
    expect([a, b, c, d, e]).toEqual([0x100000, 0x100008, 0x101000, 0x102000, 0x104000]);
    expect([a, b, c, d, e].map((p) => slab.fmtKva(p))).toEqual([
      '0xffff888000100000',
      '0xffff888000100008',
      '0xffff888000101000',
      '0xffff888000102000',
      '0xffff888000104000',
    ]);
    expect(buddy.mem.flags[0x100]! & PG_slab).toBe(PG_slab);
    expect(buddy.mem.owner[0x105]).toBe(Owner.Slab);
    expect(buddy.pagesOwnedBy(Owner.Slab)).toBe(5);
    expect([a, c, d, e].map((p) => slab.ksize(p))).toEqual([8, 16, 128, 1024]);
  });

  it('frees objects that live on the tail page of a multi-page slab', () => {
    const { buddy, slab } = machine();
    const objs = Array.from({ length: 8 }, () => slab.kmalloc(1024)); // kmalloc-1k: order-1 slabs
    expect(objs[5]).toBe(0x100000 + 5 * 1024);
    expect(buddy.mem.compoundHead(0x101)).toBe(0x100);
    expect(slab.ksize(objs[5]!)).toBe(1024);
    slab.kfree(objs[5]!);
    expect(slab.kmalloc(1000)).toBe(objs[5]);
    expect(slab.kmalloc(1000)).toBe(0x102000); // the slab was full: a new one
  });

  it('reuses the most recently freed object first (SLUB freelist LIFO)', () => {
    const { slab } = machine();
    const a = slab.kmalloc(32);
    const b = slab.kmalloc(32);
    slab.kfree(a);
    expect(slab.kmalloc(32)).toBe(a);
    expect(slab.kmalloc(32)).toBe(b + 32);
    slab.kfree(b);
    slab.kfree(a);
    expect(slab.kmalloc(20)).toBe(a);
    expect(slab.kmalloc(20)).toBe(b);
  });

  it('answers size 0 with ZERO_SIZE_PTR and ignores kfree of NULL and ZERO_SIZE_PTR', () => {
    const { buddy, slab } = machine();
    expect(slab.kmalloc(0)).toBe(ZERO_SIZE_PTR);
    slab.kfree(0);
    slab.kfree(ZERO_SIZE_PTR);
    expect(buddy.nrFreePages).toBe(768);
    expect(slab.fmtKva(ZERO_SIZE_PTR)).toBe('0x0000000000000010');
  });

  it('serves requests above 8 KiB with compound pages (kmalloc_large) and frees them', () => {
    const { buddy, slab } = machine();
    const p = slab.kmalloc(8193);
    expect(p).toBe(0x100000);
    expect(buddy.mem.flags[0x100]! & PG_large_kmalloc).toBe(PG_large_kmalloc);
    expect(buddy.mem.order[0x100]).toBe(2);
    expect(slab.ksize(p)).toBe(16384);
    expect(buddy.nrFreePages).toBe(764);
    expect(() => slab.kfree(p + 4096)).toThrow('kfree of 0xffff888000101000: not a kmalloc pointer');
    slab.kfree(p);
    expect(buddy.nrFreePages).toBe(768);
    expect(buddy.freeList(8)).toEqual([0x100]);
  });

  it('returns NULL when memory runs out or the request exceeds KMALLOC_MAX_SIZE', () => {
    const buddy = new BuddyAllocator({ nrFrames: 2 });
    const slab = new SlabAllocator(buddy, { pageOffset: PAGE_OFFSET_L4 });
    expect(slab.kmalloc(4096)).toBe(0); // kmalloc-4k wants an order-3 slab
    expect(slab.kmalloc(8)).toBe(0x1000);
    expect(slab.kmalloc(16)).toBe(0);
    expect(slab.kmalloc(KMALLOC_MAX_SIZE + 1)).toBe(0);
    expect(slab.kmalloc(8)).toBe(0x1008);
  });

  it('returns empty slabs to the buddy allocator once the partial list reaches min_partial', () => {
    const { buddy, slab } = machine(0);
    const objs = Array.from({ length: 9 }, () => slab.kmalloc(512));
    expect(objs[7]).toBe(0x100000 + 7 * 512);
    expect(objs[8]).toBe(0x101000);
    expect(buddy.pagesOwnedBy(Owner.Slab)).toBe(2);
    for (const p of objs.slice(0, 8)) slab.kfree(p);
    expect(buddy.pagesOwnedBy(Owner.Slab)).toBe(1);
    expect(buddy.mem.flags[0x100]).toBe(PG_buddy); // back on the order-0 free list
    expect(buddy.mem.owner[0x100]).toBe(Owner.Free);

    const kept = machine(); // default MIN_PARTIAL = 5 keeps it
    const more = Array.from({ length: 9 }, () => kept.slab.kmalloc(512));
    for (const p of more.slice(0, 8)) kept.slab.kfree(p);
    expect(kept.buddy.pagesOwnedBy(Owner.Slab)).toBe(2);
    expect(kept.slab.kmalloc(512)).toBe(0x101000 + 512); // cpu slab first
  });

  it('shrink (kmem_cache_shrink) gives back the empty slabs min_partial kept, and the empty cpu slab, never a slab in use', () => {
    // The module fuzzer's baseline: a module's kmalloc and kfree left an empty kmalloc-256 slab, counted as a leaked frame.
    const { buddy, slab } = machine();
    const a = Array.from({ length: 9 }, () => slab.kmalloc(512));
    const b = slab.kmalloc(64);
    for (const p of a.slice(0, 8)) slab.kfree(p);
    slab.kfree(b);
    expect(buddy.pagesOwnedBy(Owner.Slab)).toBe(3);
    expect(slab.shrink()).toBe(2); // the empty kmalloc-512 slab on the partial list, the empty kmalloc-64 cpu slab
    expect(buddy.pagesOwnedBy(Owner.Slab)).toBe(1);
    expect(slab.ksize(a[8]!)).toBe(512);
    expect(slab.kmalloc(64)).toBeGreaterThan(0);
    slab.kfree(a[8]!);
    expect(slab.shrink()).toBe(1);
    expect(slab.shrink()).toBe(0);
  });

  it('throws on kfree of a pointer kmalloc did not return, or of a freed object', () => {
    const { buddy, slab } = machine();
    const p = slab.kmalloc(8);
    expect(() => slab.kfree(p + 1)).toThrow('kfree of 0xffff888000100001: not the start of a kmalloc-8 object');
    slab.kfree(p);
    expect(() => slab.kfree(p)).toThrow('kfree of 0xffff888000100000: double free in kmalloc-8');
    const page = buddy.allocPages(0, Owner.Kernel);
    expect(() => slab.kfree(page * 4096)).toThrow(
      'kfree of 0xffff888000101000: not a kmalloc pointer (pfn:0x101 refcount:1 mapcount:0 owner:kernel flags:())',
    );
    expect(() => slab.kfree(2 ** 40)).toThrow('kfree of 0xffff898000000000: not a kmalloc pointer');
    expect(() => slab.ksize(page * 4096)).toThrow('ksize of 0xffff888000101000: not a kmalloc pointer');
  });
});

describe('kmalloc pointers and tracepoints', () => {
  it('maps physical addresses into the 4- and 5-level direct maps without precision loss', () => {
    const { slab } = machine();
    expect(slab.physToVirt(0x300001000)).toEqual({ hi: 0xffff8883, lo: 0x1000 });
    expect(slab.fmtKva(0x300001008)).toBe('0xffff888300001008');
    expect(slab.virtToPhys({ hi: 0xffff8883, lo: 0x1000 })).toBe(0x300001000);
    expect(slab.virtToPhys({ hi: 0x00007fff, lo: 0 })).toBe(-1);
    const l5 = new SlabAllocator(new BuddyAllocator({ nrFrames: 16 }), { pageOffset: PAGE_OFFSET_L5 });
    expect(l5.fmtKva(l5.kmalloc(64))).toBe('0xff11000000001000');
    expect(l5.fmtKva(2 ** 51 + 8)).toBe('0xff19000000000008');
  });

  it('emits kmem:kmalloc, kmem:kfree, mm_page_alloc and mm_page_free in order', () => {
    const { buddy, slab } = machine();
    const events: string[] = [];
    buddy.trace = {
      mmPageAlloc: (pfn, order, mt) => events.push(`mm_page_alloc pfn=0x${pfn.toString(16)} order=${order} migratetype=${mt}`),
      mmPageFree: (pfn, order) => events.push(`mm_page_free pfn=0x${pfn.toString(16)} order=${order}`),
    };
    slab.trace = {
      kmalloc: (e) =>
        events.push(
          `kmalloc call_site=${e.callSite} ptr=${slab.fmtKva(e.ptr)} bytes_req=${e.bytesReq} bytes_alloc=${e.bytesAlloc} gfp_flags=${formatGfpFlags(e.gfpFlags)}`,
        ),
      kfree: (e) => events.push(`kfree call_site=${e.callSite} ptr=${slab.fmtKva(e.ptr)}`),
    };
    const a = slab.kmalloc(24, GFP_KERNEL | __GFP_ZERO, 'mm_alloc');
    const big = slab.kmalloc(10000, GFP_KERNEL, 'alloc_fdtable');
    slab.kfree(a, 'mmdrop');
    slab.kfree(big, 'free_fdtable');
    slab.kfree(0, 'do_exit');
    expect(events).toEqual([
      'mm_page_alloc pfn=0x100 order=0 migratetype=0',
      'kmalloc call_site=mm_alloc ptr=0xffff888000100000 bytes_req=24 bytes_alloc=32 gfp_flags=GFP_KERNEL|__GFP_ZERO',
      'mm_page_alloc pfn=0x104 order=2 migratetype=0',
      'kmalloc call_site=alloc_fdtable ptr=0xffff888000104000 bytes_req=10000 bytes_alloc=16384 gfp_flags=GFP_KERNEL|__GFP_COMP',
      'kfree call_site=mmdrop ptr=0xffff888000100000',
      'kfree call_site=free_fdtable ptr=0xffff888000104000',
      'mm_page_free pfn=0x104 order=2',
      'kfree call_site=do_exit ptr=0x0000000000000000',
    ]);
    expect(formatGfpFlags(__GFP_COMP)).toBe('__GFP_COMP');
    expect(formatGfpFlags(0)).toBe('0');
  });

  it('prints /proc/slabinfo with SLUB columns, largest cache first', () => {
    const { slab } = machine();
    slab.kmalloc(8);
    slab.kmalloc(8);
    const lines = slab.slabinfo().split('\n');
    expect(lines[0]).toBe('slabinfo - version: 2.1');
    expect(lines[1]).toBe(
      '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>',
    );
    expect(lines[2]).toBe(
      'kmalloc-8k             0      0   8192    4    8 : tunables    0    0    0 : slabdata      0      0      0',
    );
    expect(lines[14]).toBe(
      'kmalloc-8              2    512      8  512    1 : tunables    0    0    0 : slabdata      1      1      0',
    );
    expect(lines.length).toBe(16);
  });
});
