// mm calls over huge ranges do work proportional to what is mapped, never to
// the range's length in pages: a 2^46-byte VMA holding one page costs a few
// page tables' worth of entry reads (Linux's walkers skip missing tables
// whole). Work is counted as guest-memory reads (page-table entries are read
// with read32); the counter throws past its bound, so work proportional to
// the range (2^34 pages) fails at once instead of running for hours.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Access } from '../../../emu/machine/trap';
import { smapsRollup } from '../../../kernel-ts/mm/introspect';
import { MADV_DONTNEED, MAP_ANONYMOUS, MAP_FIXED, MAP_NORESERVE, MAP_PRIVATE, PROT_NONE, PROT_READ, PROT_WRITE } from '../../../kernel-ts/mm/mmap';
import type { MmStruct } from '../../../kernel-ts/mm/mm-struct';
import { boot, newMm, touch } from './helpers';
import type { Booted } from './helpers';

const HUGE = 2 ** 46;
const BASE = 0x100000000;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
/**
 * Reads allowed: the VMA's two pages live under 7 tables (the PML4, and a PDPT,
 * PD and PT for each end); a walk reads one or two words per entry of each,
 * and munmap walks twice (zap, free). 2^34 pages would be 2^34 reads.
 */
const BOUND = 16 * 512;

/** The guest-memory word reads fn makes; throws once there are more than `bound`. */
function reads(b: Booted, bound: number, fn: () => void): number {
  let n = 0;
  const mem = b.kmm.mem;
  const real = mem.read32.bind(mem);
  const spy = vi.spyOn(mem, 'read32').mockImplementation((pa: number) => {
    if (++n > bound) throw new Error(`more than ${bound} guest-memory reads`);
    return real(pa);
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return n;
}

/** An mm with a 2^46-byte anonymous VMA at BASE whose first and last pages were touched. */
function hugeVma(): { b: Booted; mm: MmStruct; baseline: number } {
  const b = boot();
  const mm = newMm(b.kmm);
  const baseline = b.kmm.framesInUse();
  expect(b.kmm.doMmap(mm, BASE, HUGE, PROT_READ | PROT_WRITE, ANON | MAP_FIXED)).toBe(BASE);
  touch(b, mm, BASE, Access.Write);
  touch(b, mm, BASE + HUGE - 4096, Access.Write);
  return { b, mm, baseline };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('mm calls over a 2^46-byte range', () => {
  it('munmap of an empty 2^46-byte range reads no page-table entry', () => {
    const b = boot();
    const mm = newMm(b.kmm);
    expect(reads(b, 0, () => expect(b.kmm.doMunmap(mm, BASE, HUGE)).toBe(0))).toBe(0);
  });

  it('munmap of a 2^46-byte VMA holding two pages: bounded by the tables that exist, and every frame comes back', () => {
    const { b, mm, baseline } = hugeVma();
    reads(b, BOUND, () => expect(b.kmm.doMunmap(mm, BASE, HUGE)).toBe(0));
    expect(b.kmm.framesInUse()).toBe(baseline);
  });

  it('mprotect, madvise(MADV_DONTNEED) and a MAP_FIXED mmap over it are bounded too', () => {
    const { b, mm, baseline } = hugeVma();
    reads(b, BOUND, () => expect(b.kmm.doMprotect(mm, BASE, HUGE, PROT_READ)).toBe(0));
    reads(b, BOUND, () => expect(b.kmm.doMadvise(mm, BASE, HUGE, MADV_DONTNEED)).toBe(0));
    expect(b.kmm.framesInUse()).toBeLessThan(baseline + 16); // the pages went, empty tables may stay
    touch(b, mm, BASE + 4096, Access.Read);
    reads(b, BOUND, () => expect(b.kmm.doMmap(mm, BASE, HUGE, PROT_NONE, ANON | MAP_FIXED)).toBe(BASE));
    expect(b.kmm.framesInUse()).toBe(baseline);
  });

  it('fork (dup_mmap) and exit (exit_mmap) of such an mm are bounded', () => {
    const { b, mm, baseline } = hugeVma();
    let child: MmStruct | number = -1;
    reads(b, BOUND, () => (child = b.kmm.dupMmap(mm)));
    if (typeof child === 'number') throw new Error(`dupMmap: ${child}`);
    const c = child;
    reads(b, BOUND, () => b.kmm.exitMmap(c));
    reads(b, BOUND, () => b.kmm.exitMmap(mm));
    expect(b.kmm.framesInUse()).toBe(baseline - 1); // newMm's pgd is gone too
  });

  it('/proc/PID/smaps_rollup walks only the tables that exist', () => {
    const { b, mm } = hugeVma();
    let rss = 0;
    reads(b, BOUND, () => (rss = smapsRollup(b.kmm, mm).rss));
    expect(rss).toBe(8);
  });
});
