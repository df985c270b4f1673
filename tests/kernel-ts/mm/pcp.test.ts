// The per-CPU page lists of the buddy allocator (Linux's struct per_cpu_pages):
// LIFO reuse of freed pages, batched refills and drains, optional shuffling.
import { describe, expect, it } from 'vitest';
import { BuddyAllocator } from '../../../kernel-ts/mm/buddy';
import { Owner } from '../../../kernel-ts/mm/page';
import { TWO32 } from '../../../emu/machine/cpu/int64';

const seq = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / TWO32;
  };
};

function buddy(shuffle: (() => number) | null): BuddyAllocator {
  return new BuddyAllocator({ nrFrames: 1024, pcp: { batch: 4, high: 8, shuffle } });
}

describe('per-CPU page lists', () => {
  it('refill a batch in address order and hand out the lowest first when not shuffled', () => {
    const b = buddy(null);
    expect([0, 1, 2, 3, 4].map(() => b.allocPages(0, Owner.Anon))).toEqual([1, 2, 3, 4, 5]);
    expect(b.nrPcpPages).toBe(3); // 6, 7, 8 of the second batch
  });

  it('hand the most recently freed page out first (LIFO)', () => {
    const b = buddy(null);
    const [p, q] = [b.allocPages(0, Owner.Anon), b.allocPages(0, Owner.Anon)];
    b.freePages(p, 0);
    b.freePages(q, 0);
    expect(b.allocPages(0, Owner.Anon)).toBe(q);
    expect(b.allocPages(0, Owner.Anon)).toBe(p);
  });

  it('count their pages as free, keep them out of buddyinfo, and give the oldest batch back above high', () => {
    const b = buddy(null);
    const free0 = b.nrFreePages;
    const pages = Array.from({ length: 12 }, () => b.allocPages(0, Owner.Anon));
    expect(b.nrFreePages).toBe(free0 - 12);
    for (const p of pages) b.freePages(p, 0);
    expect(b.nrFreePages).toBe(free0);
    expect(b.nrPcpPages).toBe(8); // 12 freed, one drain of 4 when the list passed 8
  });

  it('detect a double free of a page sitting on the list', () => {
    const b = buddy(null);
    const p = b.allocPages(0, Owner.Anon);
    b.freePages(p, 0);
    expect(() => b.freePages(p, 0)).toThrow(`double free of pfn 0x${p.toString(16)} order 0`);
  });

  it('with shuffle, hand out each refill in a seeded random order (same seed, same frames)', () => {
    const take = (b: BuddyAllocator): number[] => Array.from({ length: 4 }, () => b.allocPages(0, Owner.Anon));
    const a = take(buddy(seq(7)));
    expect(a.slice().sort((x, y) => x - y)).toEqual([1, 2, 3, 4]);
    expect(a).not.toEqual([1, 2, 3, 4]);
    expect(take(buddy(seq(7)))).toEqual(a);
  });
});
