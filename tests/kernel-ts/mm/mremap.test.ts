// mremap(2)'s checks on the old range (kernel-ts/mm/mremap.ts, Linux
// mm/mremap.c do_mremap): an old address outside every VMA is -EFAULT before
// anything is resized, unmapped or moved, whatever the lengths and flags.
import { describe, expect, it } from 'vitest';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../kernel-ts/mm/mmap';
import { MREMAP_FIXED, MREMAP_MAYMOVE } from '../../../kernel-ts/mm/mremap';
import { showMaps } from '../../../kernel-ts/mm/vma';
import { boot, kernelHalf, kernelRead, newMm } from './helpers';
import { EFAULT, EINVAL } from '../../../kernel-ts/errno';

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

// Issue 12, finding 2: a shrink whose old range ran past TASK_SIZE unmapped
// into the kernel half; the page-table freeing walk took the direct map's
// 1 GiB leaf for a page directory, cleared the entry every mm shares and
// oopsed, and from then on no process could reach the direct map.
describe('mremap of an old range reaching past TASK_SIZE', () => {
  for (const paging of [4, 5] as const) {
    it(`is -EINVAL before anything changes, with ${paging}-level paging (the kernel half stays as booted)`, () => {
      const b = boot({ memSize: 1 << 30, paging });
      const { kmm } = b;
      expect(kmm.kspace.directMap.pages1g).toBe(1);
      const mm = newMm(kmm);
      const p = kmm.doMmap(mm, 0, 2 * P, RW, ANON);
      kmm.putUser32(mm, p, 0x1234);
      const before = kernelHalf(kmm);
      const frames = kmm.framesInUse();
      const maps = showMaps(mm.vmas);
      // The fuzzer's case (4-level), and a length reaching past a 5-level TASK_SIZE.
      const past = mm.taskSize - p + P;
      for (const oldLen of [0x34d0b62ff000, past, 2 ** 63]) {
        expect(kmm.doMremap(mm, p, oldLen, P, 0)).toBe(oldLen === 0x34d0b62ff000 && paging === 5 ? p : -EINVAL);
        if (oldLen === 0x34d0b62ff000 && paging === 5) continue;
        expect(kmm.doMremap(mm, p, oldLen, P, MREMAP_MAYMOVE | MREMAP_FIXED, 0x40000000)).toBe(-EINVAL);
      }
      expect(kernelHalf(kmm)).toEqual(before);
      expect(kernelHalf(kmm, mm.pgd)).toEqual(before);
      expect(kmm.getUser32(mm, p)).toBe(0x1234);
      // Every mm still reaches the direct map, and nothing leaked.
      expect(kernelRead(b, 0x1000)).toBe(0x1000);
      kmm.switchMm(newMm(kmm));
      expect(kernelRead(b, 0x3fff_f000)).toBe(0x3fff_f000);
      if (paging === 4) expect(showMaps(mm.vmas)).toBe(maps);
      expect(kmm.framesInUse()).toBe(frames + 1); // the second mm's pgd
    });
  }

  it('a shrink or move whose tail ends exactly at TASK_SIZE is still allowed (nothing mapped there is lost)', () => {
    const { kmm } = boot();
    const mm = newMm(kmm);
    const p = kmm.doMmap(mm, 0, 2 * P, RW, ANON);
    expect(kmm.doMremap(mm, p, mm.taskSize - p, P, 0)).toBe(p);
    expect(kmm.doMremap(mm, p, P, P, 0)).toBe(p);
    expect(kmm.doMremap(mm, p, mm.taskSize - p + 1, P, 0)).toBe(-EINVAL);
  });

  it('checks the arguments in Linux order: flags, alignment, a zero new length, then the old address', () => {
    const { kmm } = boot();
    const mm = newMm(kmm);
    const hole = 0x50000000;
    expect(kmm.doMremap(mm, hole, P, P, 8)).toBe(-EINVAL);
    expect(kmm.doMremap(mm, hole + 1, P, P, 0)).toBe(-EINVAL);
    expect(kmm.doMremap(mm, hole, P, 0, 0)).toBe(-EINVAL);
    expect(kmm.doMremap(mm, hole, P, 2 ** 64 - 1, MREMAP_MAYMOVE)).toBe(-EINVAL); // PAGE_ALIGN wraps to 0
    expect(kmm.doMremap(mm, hole, P, P, MREMAP_FIXED, 0x60000000)).toBe(-EINVAL); // FIXED without MAYMOVE
    expect(kmm.doMremap(mm, hole, P, P, MREMAP_FIXED | MREMAP_MAYMOVE, 0x60000001)).toBe(-EINVAL);
    expect(kmm.doMremap(mm, hole, 0, P, MREMAP_MAYMOVE)).toBe(-EFAULT);
    const p = kmm.doMmap(mm, 0, P, RW, ANON);
    expect(kmm.doMremap(mm, p, 0, P, MREMAP_MAYMOVE)).toBe(-EINVAL); // "duplicate" a private mapping
  });
});
