// The page-table walks of kernel-ts/mm/unmap.ts (Linux zap_pte_range,
// free_pgtables): they stay below TASK_SIZE, where every table is the mm's
// own, and never take a leaf (PS=1) for a table. Both are kernel invariants
// (the syscalls refuse such ranges first), so breaking one throws a clear
// error (the oops of the task served) before anything changes. Issue 12,
// finding 2: free_pgtables once cleared the direct map's 1 GiB entry, shared
// by every mm, and then failed on `freeing pfn 0x0: not a page table`.
import { describe, expect, it } from 'vitest';
import { PTE_P, PTE_PS, PTE_RW, PTE_US } from '../../../emu/machine/mmu/paging';
import { MADV_DONTNEED, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../kernel-ts/mm/mmap';
import { PAGE_TABLE, allocEntry } from '../../../kernel-ts/mm/pgtable';
import { forEachPteSlot, freePgtables } from '../../../kernel-ts/mm/unmap';
import { doMunmapRange } from '../../../kernel-ts/mm/mmap';
import { boot, kernelHalf, newMm } from './helpers';
import { EINVAL, ENOMEM } from '../../../kernel-ts/errno';

const P = 4096;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

describe('page-table walks of a user mm', () => {
  for (const paging of [4, 5] as const) {
    it(`refuse a range reaching past TASK_SIZE before touching anything (${paging}-level)`, () => {
      const { kmm } = boot({ paging });
      const mm = newMm(kmm);
      kmm.doMmap(mm, 0x10000000, P, RW, ANON);
      kmm.putUser32(mm, 0x10000000, 1);
      const before = kernelHalf(kmm, mm.pgd);
      const frames = kmm.framesInUse();
      const msg = `reaches past TASK_SIZE 0x${mm.taskSize.toString(16)}: the kernel half's page tables are shared by every mm`;
      const g = kmm.gather.reset(mm);
      expect(() => freePgtables(kmm, mm, 0, mm.taskSize + 2 ** 30, g)).toThrow(`free_pgtables of [0x0, 0x${(mm.taskSize + 2 ** 30).toString(16)}) ${msg}`);
      expect(() => forEachPteSlot(kmm, mm, 0x10000000, 2 ** 63, () => {})).toThrow(`page-table walk of [0x10000000, 0x8000000000000000) ${msg}`);
      expect(() => doMunmapRange(kmm, mm, 0x10000000, mm.taskSize + P)).toThrow(
        `munmap of [0x10000000, 0x${(mm.taskSize + P).toString(16)}): not a page-aligned range below TASK_SIZE 0x${mm.taskSize.toString(16)}`,
      );
      expect(kernelHalf(kmm, mm.pgd)).toEqual(before);
      expect(kmm.framesInUse()).toBe(frames);
      expect(kmm.getUser32(mm, 0x10000000)).toBe(1);
    });
  }

  it('free_pgtables never descends through a leaf: a PS=1 entry is an error, and the entry stays', () => {
    const { kmm } = boot();
    const mm = newMm(kmm);
    const va = 0x40000000;
    for (const level of [2, 3]) {
      // A PMD (2 MiB) or PUD (1 GiB) leaf planted in the user half, as no path of the kernel makes one there.
      const e = allocEntry(kmm, mm, mm.pgd, va, 0, level, PAGE_TABLE);
      kmm.mem.write32(e + 4, 0);
      kmm.mem.write32(e, PTE_P | PTE_RW | PTE_US | PTE_PS);
      const g = kmm.gather.reset(mm);
      expect(() => freePgtables(kmm, mm, va, va + P, g)).toThrow(`free_pgtables: the ${level === 2 ? 'pmd' : 'pud'} entry for 0x40000000 is a leaf (PS=1), not a page table`);
      expect(kmm.mem.read32(e)).toBe(PTE_P | PTE_RW | PTE_US | PTE_PS);
      kmm.mem.write32(e, 0);
    }
  });

  it('the mm syscalls refuse ranges that reach the kernel half, and its tables stay as booted', () => {
    const { kmm } = boot({ memSize: 1 << 30 });
    const mm = newMm(kmm);
    const p = kmm.doMmap(mm, 0, 2 * P, RW, ANON);
    const before = kernelHalf(kmm, mm.pgd);
    const top = mm.taskSize;
    expect(kmm.doMunmap(mm, p, top)).toBe(-EINVAL);
    expect(kmm.doMunmap(mm, top, P)).toBe(-EINVAL);
    expect(kmm.doMunmap(mm, 2 ** 63, P)).toBe(-EINVAL);
    expect(kmm.doMunmap(mm, p, 2 ** 64 - 1)).toBe(-EINVAL);
    // mprotect and madvise walk VMAs only: past the last one is a hole (-ENOMEM), after the mapped part.
    expect(kmm.doMprotect(mm, p, 2 ** 63, PROT_READ)).toBe(-ENOMEM);
    expect(kmm.doMprotect(mm, top, P, PROT_READ)).toBe(-ENOMEM);
    expect(kmm.doMprotect(mm, p, 2 ** 64 - 1, PROT_READ)).toBe(-ENOMEM);
    expect(kmm.doMprotect(mm, 2 ** 64 - P, 2 * P, PROT_READ)).toBe(-ENOMEM);
    expect(kmm.doMadvise(mm, p, 2 ** 63, MADV_DONTNEED)).toBe(-ENOMEM);
    expect(kmm.doMadvise(mm, top, P, MADV_DONTNEED)).toBe(-ENOMEM);
    expect(kmm.doMadvise(mm, 2 ** 64 - P, 2 * P, MADV_DONTNEED)).toBe(-EINVAL);
    expect(kmm.doMadvise(mm, p, 2 ** 64 - 1, MADV_DONTNEED)).toBe(-EINVAL);
    expect(kmm.doMmap(mm, top - P, 2 * P, RW, ANON | 0x10)).toBe(-ENOMEM);
    expect(kmm.doMmap(mm, 0, 2 ** 64 - 1, RW, ANON)).toBe(-ENOMEM);
    expect(kmm.doBrk(mm, top + P)).toBe(mm.brk);
    expect(kernelHalf(kmm, mm.pgd)).toEqual(before);
    expect(kmm.doMunmap(mm, p, 2 * P)).toBe(0);
  });
});
