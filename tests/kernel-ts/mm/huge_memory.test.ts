// Huge pages in user mms (kernel-ts/mm/huge_memory.ts) driven by btplus
// (kernel-ts/drivers/btplus-huge.ts, through /dev/btplus and its sysfs
// attribute, as part2 drives it): promotion of fully populated 2 MiB
// ranges, pagemap/followPte per 4 KiB piece, demotion through the hooks in
// both cases of the lab's Figure 2, frames given back, and the promotion
// kernel thread with the sysfs attribute.
import { describe, expect, it } from 'vitest';
import { thpCounters } from '../../../kernel-ts/mm/huge_memory';
import { followPte, pagemapEntry, PM_PFRAME_MASK } from '../../../kernel-ts/mm/introspect';
import { doMunmap, doMprotect, PROT_READ } from '../../../kernel-ts/mm/mmap';
import { kthreads, runKthreads } from '../../../kernel-ts/kthread';
import { EINVAL } from '../../../kernel-ts/errno';
import { IOCTL_PROMOTE_VMA, PROMOTE_POLL_MS, level, promote, readPromote, setup, writePromote } from '../drivers/btplus-support';
import { dupMmap } from '../../../kernel-ts/mm/fork';
import type { Setup } from '../drivers/btplus-support';

const PAGE = 4096;
const MB = 1 << 20;
const A = 0x40000000; // 2 MiB aligned

/** A 4 MiB anonymous mapping at A, every page written with its index. */
function populated(): Setup {
  const s = setup();
  expect(s.mmapAnon(4 * MB, A)).toBe(A);
  for (let i = 0; i < 1024; i++) s.put64(A + i * PAGE, i + 1);
  return s;
}

describe('promotion', () => {
  it('maps each fully present 2 MiB range with one PS=1 PMD over one order-9 block, contents kept', () => {
    const s = populated();
    const kmm = s.b.k.mm;
    const mm = s.t.mm!;
    expect(promote(s)).toBe(2);
    expect(level(s, A)).toBe(2);
    expect(level(s, A + 2 * MB + 5 * PAGE)).toBe(2);
    for (const h of [A, A + 2 * MB]) {
      const head = followPte(kmm, mm, h).pfn;
      expect(head % 512).toBe(0);
      for (let i = 0; i < 512; i += 37) {
        expect(followPte(kmm, mm, h + i * PAGE).pfn).toBe(head + i);
        expect(Number(pagemapEntry(kmm, mm, h + i * PAGE) & PM_PFRAME_MASK)).toBe(head + i);
      }
    }
    for (let i = 0; i < 1024; i += 13) expect(s.get64(A + i * PAGE)).toBe(i + 1);
    expect(thpCounters(kmm).collapse).toBe(2);
    expect(kmm.vmstat()).toMatch(/^nr_anon_transparent_hugepages 2\nthp_collapse_alloc 2\nthp_split_pmd 0\n/m);
  });

  it('leaves a range with a missing page alone', () => {
    const s = setup();
    s.mmapAnon(4 * MB, A);
    for (let i = 0; i < 1024; i++) if (i !== 700) s.put64(A + i * PAGE, i);
    expect(promote(s)).toBe(1);
    expect(level(s, A)).toBe(2);
    expect(level(s, A + 2 * MB)).toBe(1);
  });
});

describe('demotion through the munmap hook (Figure 2)', () => {
  it('case a: the 2 MiB-aligned 2 MiB part that remains keeps its huge page; the cut one is split', () => {
    const s = populated();
    const kmm = s.b.k.mm;
    promote(s);
    const head2 = followPte(kmm, s.t.mm!, A + 2 * MB).pfn;
    expect(doMunmap(kmm, s.t.mm!, A + 3 * MB, MB)).toBe(0);
    expect(level(s, A)).toBe(2);
    expect(level(s, A + 2 * MB)).toBe(1);
    // The 4 KiB PTEs point into the same frames.
    for (let i = 0; i < 256; i += 17) expect(followPte(kmm, s.t.mm!, A + 2 * MB + i * PAGE).pfn).toBe(head2 + i);
    for (let i = 0; i < 768; i += 11) expect(s.get64(A + i * PAGE)).toBe(i + 1);
    expect(thpCounters(kmm).splitPmd).toBe(1);
    expect(s.b.k.printk.all().some((r) => r.text.includes(`btplus: demoted [0x${(A + 2 * MB).toString(16)}`))).toBe(true);
  });

  it('case b: both remaining parts are under 2 MiB: both huge pages are split', () => {
    const s = populated();
    const kmm = s.b.k.mm;
    promote(s);
    expect(doMunmap(kmm, s.t.mm!, A + MB, 2 * MB)).toBe(0);
    expect(level(s, A)).toBe(1);
    expect(level(s, A + 3 * MB)).toBe(1);
    for (let i = 0; i < 256; i += 7) expect(s.get64(A + i * PAGE)).toBe(i + 1);
    for (let i = 768; i < 1024; i += 7) expect(s.get64(A + i * PAGE)).toBe(i + 1);
    expect(thpCounters(kmm).splitPmd).toBe(2);
  });

  it('mprotect of part of a huge page splits it; the frames come back when everything is unmapped', () => {
    const s = setup();
    const kmm = s.b.k.mm;
    const free0 = kmm.buddy.nrFreePages;
    s.mmapAnon(4 * MB, A);
    for (let i = 0; i < 1024; i++) s.put64(A + i * PAGE, i + 1);
    promote(s);
    expect(doMprotect(kmm, s.t.mm!, A, PAGE, PROT_READ)).toBe(0);
    expect(level(s, A)).toBe(1);
    expect(level(s, A + 2 * MB)).toBe(2);
    expect(doMunmap(kmm, s.t.mm!, A, 4 * MB)).toBe(0);
    expect(kmm.buddy.nrFreePages).toBe(free0);
  });
});

describe('fork and exit with huge pages', () => {
  it('fork splits the parent\'s huge PMD (the copy walks 4K PTEs); the child reads the same data', () => {
    const s = populated();
    const kmm = s.b.k.mm;
    promote(s);
    const child = dupMmap(kmm, s.t.mm!);
    if (typeof child === 'number') throw new Error(`dupMmap: ${child}`);
    expect(level(s, A)).toBe(1);
    for (let i = 0; i < 1024; i += 97) expect(Number(kmm.getUser64(child, A + i * PAGE))).toBe(i + 1);
  });
});

describe('the promotion thread', () => {
  it('waits for promote=1, promotes, sets promote back to 0, and exits with the process', () => {
    const s = populated();
    expect(s.ioctl(IOCTL_PROMOTE_VMA, 0)).toBe(0);
    expect(kthreads(s.b.k).map((t) => t.name)).toEqual(['btplus_promote']);
    runKthreads(s.b.k);
    expect(level(s, A)).toBe(1);
    expect(writePromote(s, '1\n')).toBe(2);
    expect(readPromote(s)).toBe('1\n');
    // A munmap while the thread is about to run: it promotes what is left.
    doMunmap(s.b.k.mm, s.t.mm!, A + 2 * MB, 2 * MB);
    runKthreads(s.b.k);
    expect(readPromote(s)).toBe('0\n');
    expect(level(s, A)).toBe(2);
    expect(writePromote(s, 'x')).toBe(-EINVAL);
    s.b.k.kill(s.t.pid, 9);
    s.b.k.run();
    // The thread looks at its process when its sleep is over.
    runKthreads(s.b.k);
    expect(kthreads(s.b.k)).toHaveLength(1);
    s.b.k.idle(PROMOTE_POLL_MS * 1e6);
    runKthreads(s.b.k);
    expect(kthreads(s.b.k)).toEqual([]);
  });
});
