import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  BuddyAllocator,
  MAX_PAGE_ORDER,
  MIGRATE_MOVABLE,
  MIGRATE_UNMOVABLE,
  getOrder,
  type MmPageTrace,
} from '../../../kernel-ts/mm/buddy';
import { Owner, PG_buddy, PG_head, PG_reserved, PG_tail, physToPfn, pfnToPhys } from '../../../kernel-ts/mm/page';

/** Free lists of every order, as pfn arrays, lowest first. */
function lists(b: BuddyAllocator): number[][] {
  const out: number[][] = [];
  for (let o = 0; o <= MAX_PAGE_ORDER; o++) out.push(b.freeList(o));
  return out;
}

const MiB = 1 << 20;

describe('buddy allocator: boot state', () => {
  it('reserves frame 0 and frees the rest as maximal aligned blocks', () => {
    const b = new BuddyAllocator({ nrFrames: 64 });
    expect(lists(b)).toEqual([[1], [2], [4], [8], [16], [32], [], [], [], [], []]);
    expect(b.nrFreePages).toBe(63);
    expect(b.nrReservedPages).toBe(1);
    expect(b.buddyinfo()).toBe(
      'Node 0, zone   Normal      1      1      1      1      1      1      0      0      0      0      0 \n',
    );
  });

  it('keeps the first MiB and a kernel image away, and caps blocks at order 10', () => {
    const b = new BuddyAllocator({
      nrFrames: 4096 + 37,
      reserved: [
        { start: 0, end: MiB },
        { start: 0x200000 + 0x800, end: 0x200000 + 0x2800 }, // rounded out to pfns 0x200..0x202
      ],
    });
    expect(b.nrReservedPages).toBe(256 + 3);
    expect(b.mem.flags[0x202]! & PG_reserved).toBe(PG_reserved);
    expect(b.mem.flags[0x203]! & PG_reserved).toBe(0);
    expect(lists(b)).toEqual([
      [0x203, 0x1024],
      [],
      [0x204, 0x1020],
      [0x208],
      [0x210],
      [0x220, 0x1000],
      [0x240],
      [0x280],
      [0x100, 0x300],
      [],
      [0x400, 0x800, 0xc00],
    ]);
    expect(b.buddyinfo()).toBe(
      'Node 0, zone   Normal      2      0      2      1      1      2      1      1      2      0      3 \n',
    );
    expect(b.nrFreePages).toBe(4096 + 37 - 259);
    expect(b.nrManagedPages).toBe(4096 + 37 - 259);
  });
});

describe('buddy allocator: split and coalesce', () => {
  it('splits the lowest block of the smallest fitting order, giving back upper halves (expand)', () => {
    const b = new BuddyAllocator({ nrFrames: 4096, reserved: [{ start: 0, end: MiB }] });
    expect(lists(b)).toEqual([[], [], [], [], [], [], [], [], [256], [512], [1024, 2048, 3072]]);
    expect(b.allocPages(0, Owner.Anon)).toBe(256);
    expect(lists(b)).toEqual([[257], [258], [260], [264], [272], [288], [320], [384], [], [512], [1024, 2048, 3072]]);
    expect(b.allocPages(0, Owner.Anon)).toBe(257);
    expect(b.allocPages(1, Owner.Kernel)).toBe(258);
    expect(b.allocPages(3, Owner.Kernel)).toBe(264);
    expect(lists(b)).toEqual([[], [], [260], [], [272], [288], [320], [384], [], [512], [1024, 2048, 3072]]);
    expect(b.allocPages(0, Owner.Anon)).toBe(260);
    expect(lists(b)).toEqual([[261], [262], [], [], [272], [288], [320], [384], [], [512], [1024, 2048, 3072]]);
  });

  it('coalesces with the buddy (pfn ^ 1 << order) on free, whatever the free order', () => {
    const b = new BuddyAllocator({ nrFrames: 4096, reserved: [{ start: 0, end: MiB }] });
    const initial = lists(b);
    const a = b.allocPages(0, Owner.Anon);
    const c = b.allocPages(0, Owner.Anon);
    const d = b.allocPages(2, Owner.Anon);
    expect([a, c, d]).toEqual([256, 257, 260]);
    b.freePages(c, 0); // buddy 256 still allocated: no merge
    expect(b.freeList(0)).toEqual([257]);
    b.freePages(a, 0); // 256+257 -> order 1 at 256, buddy 258 free -> order 2 at 256, buddy 260 busy
    expect(lists(b).slice(0, 4)).toEqual([[], [], [256], [264]]);
    b.freePages(d, 2);
    expect(lists(b)).toEqual(initial);
  });

  it('keeps free lists sorted by address when blocks are freed high to low', () => {
    const b = new BuddyAllocator({ nrFrames: 64 });
    const pfns = Array.from({ length: 63 }, () => b.allocPages(0, Owner.Kernel));
    expect(pfns[0]).toBe(1);
    expect(pfns[62]).toBe(63);
    for (const p of [61, 41, 21, 9, 3]) b.freePages(p, 0);
    expect(b.freeList(0)).toEqual([3, 9, 21, 41, 61]);
    expect(b.allocPages(0, Owner.Kernel)).toBe(3);
  });

  it('marks compound pages: PG_head with the order, tails pointing at the head', () => {
    const b = new BuddyAllocator({ nrFrames: 64 });
    const p = b.allocPages(2, Owner.Pagecache);
    expect(p).toBe(4);
    expect(b.mem.flags[4]).toBe(PG_head);
    expect(b.mem.order[4]).toBe(2);
    expect([5, 6, 7].map((t) => b.mem.compoundHead(t))).toEqual([4, 4, 4]);
    expect(b.mem.flags[7]).toBe(PG_tail);
    expect(b.mem.describe(4)).toBe('pfn:0x4 refcount:1 mapcount:0 owner:pagecache order:2 flags:(head)');
    expect(b.mem.describe(6)).toBe('pfn:0x6 refcount:0 mapcount:0 owner:pagecache head:0x4 flags:(tail)');
    expect(b.mem.describe(8)).toBe('pfn:0x8 refcount:0 mapcount:0 owner:free order:3 flags:(buddy)');
    expect(b.mem.flags[8]).toBe(PG_buddy);
  });
});

describe('buddy allocator: exhaustion and accounting', () => {
  it('returns -1 when no block is large enough, without throwing', () => {
    const b = new BuddyAllocator({ nrFrames: 8 });
    expect(b.allocPages(3, Owner.Anon)).toBe(-1);
    expect(b.allocPages(2, Owner.Anon)).toBe(4);
    expect(b.allocPages(2, Owner.Anon)).toBe(-1);
    expect([1, 2, 3].map(() => b.allocPages(0, Owner.Anon))).toEqual([1, 2, 3]);
    expect(b.allocPages(0, Owner.Anon)).toBe(-1);
    expect(b.nrFreePages).toBe(0);
    expect(b.buddyinfo()).toBe(
      'Node 0, zone   Normal      0      0      0      0      0      0      0      0      0      0      0 \n',
    );
  });

  it('counts pages per owner for meminfo', () => {
    const b = new BuddyAllocator({ nrFrames: 1024 });
    const s = b.allocPages(1, Owner.Slab);
    b.allocPages(0, Owner.Pgtable);
    b.allocPages(3, Owner.Anon);
    expect(b.ownerSummary()).toEqual({ kernel: 0, slab: 2, pgtable: 1, anon: 8, pagecache: 0, vmalloc: 0, module: 0 });
    expect(b.pagesOwnedBy(Owner.Free)).toBe(1023 - 11);
    expect(b.nrUsedPages).toBe(11);
    b.freePages(s, 1);
    expect(b.pagesOwnedBy(Owner.Slab)).toBe(0);
    expect(b.nrFreePages).toBe(1023 - 9);
  });

  it('emits mm_page_alloc and mm_page_free tracepoints', () => {
    const b = new BuddyAllocator({ nrFrames: 64 });
    const events: string[] = [];
    const trace: MmPageTrace = {
      mmPageAlloc: (pfn, order, mt) => events.push(`alloc pfn=0x${pfn.toString(16)} order=${order} migratetype=${mt}`),
      mmPageFree: (pfn, order) => events.push(`free pfn=0x${pfn.toString(16)} order=${order}`),
    };
    b.trace = trace;
    const a = b.allocPages(0, Owner.Anon);
    const k = b.allocPages(3, Owner.Kernel);
    b.freePages(a, 0);
    b.freePages(k, 3);
    expect(events).toEqual([
      `alloc pfn=0x1 order=0 migratetype=${MIGRATE_MOVABLE}`,
      `alloc pfn=0x8 order=3 migratetype=${MIGRATE_UNMOVABLE}`,
      'free pfn=0x1 order=0',
      'free pfn=0x8 order=3',
    ]);
  });

  it('converts addresses above 4 GiB to pfns without 32-bit truncation', () => {
    expect(physToPfn(2 ** 33 + 0x1fff)).toBe(2 ** 21 + 1);
    expect(pfnToPhys(2 ** 22 - 1)).toBe(2 ** 34 - 4096);
    expect(getOrder(1)).toBe(0);
    expect(getOrder(4096)).toBe(0);
    expect(getOrder(4097)).toBe(1);
    expect(getOrder(4 * 1024 * 1024)).toBe(10);
  });
});

describe('buddy allocator: references and broken invariants', () => {
  it('frees only when the last reference goes (get_page / put_page / __free_pages)', () => {
    const b = new BuddyAllocator({ nrFrames: 64 });
    const p = b.allocPages(0, Owner.Anon);
    b.getPage(p);
    expect(b.mem.refcount[p]).toBe(2);
    b.freePages(p, 0);
    expect(b.nrFreePages).toBe(62);
    b.putPage(p);
    expect(b.nrFreePages).toBe(63);
  });

  it('put_page on a tail page drops the compound head and frees the whole block', () => {
    const b = new BuddyAllocator({ nrFrames: 64 });
    const p = b.allocPages(2, Owner.Anon);
    b.putPage(p + 3);
    expect(b.nrFreePages).toBe(63);
    expect(lists(b)).toEqual([[1], [2], [4], [8], [16], [32], [], [], [], [], []]);
  });

  it('throws on double free, including a pfn inside a coalesced free block', () => {
    const b = new BuddyAllocator({ nrFrames: 64 });
    const p = b.allocPages(0, Owner.Anon);
    b.freePages(p, 0);
    expect(() => b.freePages(p, 0)).toThrow('double free of pfn 0x1 order 0');
    expect(() => b.freePages(9, 0)).toThrow('double free of pfn 0x9 order 0');
    expect(() => b.putPage(9)).toThrow('put_page on pfn 0x9 with refcount 0 (double free?)');
  });

  it('throws when freeing a tail page, with the wrong order, a reserved page, or a mapped page', () => {
    const b = new BuddyAllocator({ nrFrames: 64 });
    const p = b.allocPages(2, Owner.Anon);
    expect(() => b.freePages(p + 1, 0)).toThrow('freeing tail page pfn 0x5 (head is 0x4)');
    expect(() => b.freePages(p, 1)).toThrow('freeing pfn 0x4 with order 1, allocated with order 2');
    expect(() => b.freePages(0, 0)).toThrow('freeing reserved page pfn 0x0');
    expect(() => b.freePages(64, 0)).toThrow('pfn 0x40 outside mem_map (0..0x3f)');
    b.mem.mapcount[p] = 0; // one PTE still maps it
    expect(() => b.freePages(p, 2)).toThrow('freeing pfn 0x4 still mapped (mapcount 1)');
  });

  it('rejects orders outside 0..MAX_PAGE_ORDER and allocating for Owner.Free', () => {
    const b = new BuddyAllocator({ nrFrames: 64 });
    expect(() => b.allocPages(11, Owner.Anon)).toThrow('allocPages: order 11 outside 0..10');
    expect(() => b.allocPages(0, Owner.Free)).toThrow('owner must not be Owner.Free');
  });
});

describe('buddy allocator: properties', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('alloc' as const), order: fc.integer({ min: 0, max: 4 }) }),
    fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
  );

  it('never hands out overlapping blocks, and freeing everything restores the boot free lists', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }),
        fc.integer({ min: 0, max: 40 }),
        fc.array(op, { maxLength: 300 }),
        (nrFrames, reservedEnd, ops) => {
          const b = new BuddyAllocator({ nrFrames, reserved: [{ start: 0, end: reservedEnd * 4096 }] });
          const boot = lists(b);
          const bootFree = b.nrFreePages;
          const owner = new Int32Array(nrFrames).fill(-1); // which live block holds each frame
          const live: [number, number][] = [];
          for (const o of ops) {
            if (o.kind === 'alloc') {
              const pfn = b.allocPages(o.order, Owner.Anon);
              if (pfn < 0) continue;
              expect(pfn % (1 << o.order)).toBe(0);
              for (let i = pfn; i < pfn + (1 << o.order); i++) {
                expect(i).toBeLessThan(nrFrames);
                expect(owner[i]).toBe(-1);
                expect(b.mem.flags[i]! & PG_reserved).toBe(0);
                owner[i] = pfn;
              }
              live.push([pfn, o.order]);
            } else if (live.length) {
              const [pfn, order] = live.splice(o.pick % live.length, 1)[0]!;
              b.freePages(pfn, order);
              for (let i = pfn; i < pfn + (1 << order); i++) owner[i] = -1;
            }
            const used = live.reduce((n, [, order]) => n + (1 << order), 0);
            expect(b.nrFreePages).toBe(bootFree - used);
          }
          for (const [pfn, order] of live) b.freePages(pfn, order);
          expect(lists(b)).toEqual(boot);
          expect(b.nrFreePages).toBe(bootFree);
        },
      ),
      { numRuns: 300 },
    );
  });
});
