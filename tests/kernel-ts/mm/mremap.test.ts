// mremap(2)'s checks on the old range (kernel-ts/mm/mremap.ts, Linux
// mm/mremap.c do_mremap): an old address outside every VMA is -EFAULT before
// anything is resized, unmapped or moved, whatever the lengths and flags.
import { describe, expect, it } from 'vitest';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../kernel-ts/mm/mmap';
import { MREMAP_FIXED, MREMAP_MAYMOVE } from '../../../kernel-ts/mm/mremap';
import { showMaps } from '../../../kernel-ts/mm/vma';
import { boot, newMm } from './helpers';
import { EFAULT } from '../../../kernel-ts/errno';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
const P = 4096;

describe('mremap of an unmapped old range', () => {
  it('is -EFAULT for a shrink, a same-size call, a growth and a move, and changes nothing', () => {
    const { kmm } = boot();
    const mm = newMm(kmm);
    // [a, a+P) and [a+3P, a+4P) mapped, the two pages between a hole.
    const a = kmm.doMmap(mm, 0x20000000, 4 * P, RW, ANON | MAP_FIXED);
    kmm.putUser32(mm, a, 1);
    kmm.putUser32(mm, a + 3 * P, 4);
    expect(kmm.doMunmap(mm, a + P, 2 * P)).toBe(0);
    const maps = showMaps(mm.vmas);
    const hole = a + P;
    expect(kmm.doMremap(mm, hole, 2 * P, P, 0)).toBe(-EFAULT);
    expect(kmm.doMremap(mm, hole, 2 * P, P, MREMAP_MAYMOVE)).toBe(-EFAULT);
    expect(kmm.doMremap(mm, hole, P, P, 0)).toBe(-EFAULT);
    expect(kmm.doMremap(mm, hole, P, 2 * P, MREMAP_MAYMOVE)).toBe(-EFAULT);
    expect(kmm.doMremap(mm, hole, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, 0x30000000)).toBe(-EFAULT);
    // Starting in the hole and ending on the mapped page: that page is not unmapped.
    expect(kmm.doMremap(mm, hole + P, 2 * P, P, 0)).toBe(-EFAULT);
    expect(showMaps(mm.vmas)).toBe(maps);
    expect(kmm.getUser32(mm, a + 3 * P)).toBe(4);
    // A mapped old address still shrinks.
    expect(kmm.doMremap(mm, a + 3 * P, P, P, 0)).toBe(a + 3 * P);
    expect(kmm.doMremap(mm, a, P, P, 0)).toBe(a);
    expect(kmm.getUser32(mm, a)).toBe(1);
  });
});
