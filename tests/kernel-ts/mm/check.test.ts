// The memory manager's self-check (kernel-ts/mm/check.ts): silent on a
// healthy kernel, and each invariant fails when it is broken on purpose.
import { describe, expect, it } from 'vitest';
import { Access } from '../../../emu/machine/trap';
import { PTE_P, PTE_RW } from '../../../emu/machine/mmu/paging';
import { checkVm, formatViolations, vmBaseline } from '../../../kernel-ts/mm/check';
import type { VmBaseline, VmInvariant } from '../../../kernel-ts/mm/check';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../kernel-ts/mm/mmap';
import { Owner, PAGE_SIZE } from '../../../kernel-ts/mm/page';
import { entryAddr, entryPfn, lookupPte, pgtableAlloc, vaHi, vaLo } from '../../../kernel-ts/mm/pgtable';
import type { KernelMm } from '../../../kernel-ts/mm/kernel-mm';
import type { MmStruct } from '../../../kernel-ts/mm/mm-struct';
import { boot, newMm, touch } from './helpers';
import type { Booted } from './helpers';

const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
const RW = PROT_READ | PROT_WRITE;
const PAGES = 4;

interface World extends Booted {
  base: VmBaseline;
  mm: MmStruct;
  /** PAGES writable anonymous pages, each written (so mapped and in the DTLB). */
  rw: number;
  /** One read-only anonymous page, read. */
  ro: number;
}

/** A booted mm with two VMAs, their pages touched through the real MMU. */
function world(paging: 4 | 5 = 4): World {
  const b = boot({ memSize: 16 << 20, paging });
  b.kmm.dropCaches(1);
  const base = vmBaseline(b.kmm);
  const mm = newMm(b.kmm);
  const rw = b.kmm.doMmap(mm, 0, PAGES * PAGE_SIZE, RW, ANON);
  const ro = b.kmm.doMmap(mm, 0, PAGE_SIZE, PROT_READ, ANON);
  for (let i = 0; i < PAGES; i++) touch(b, mm, rw + i * PAGE_SIZE, Access.Write);
  touch(b, mm, ro, Access.Read);
  return { ...b, base, mm, rw, ro };
}

function check(w: World, mms: MmStruct[] = [w.mm], quiescent = false): VmInvariant[] {
  return checkVm(w.kmm, mms, { baseline: w.base, quiescent }).map((v) => v.invariant);
}

/** The PTE's address for va in mm. */
function pteOf(kmm: KernelMm, mm: MmStruct, va: number): number {
  const pte = lookupPte(kmm, mm.pgd, vaLo(va), vaHi(va));
  expect(pte).toBeGreaterThanOrEqual(0);
  return pte;
}

/** A frame the allocator holds free. */
function freeFrame(kmm: KernelMm): number {
  const pfn = kmm.buddy.allocPages(0, Owner.Kernel);
  kmm.buddy.freePages(pfn, 0);
  return pfn;
}

describe('checkVm on a healthy kernel', () => {
  it('finds nothing after boot, with a live mm, after fork, and after everything exited', () => {
    const b = boot({ memSize: 16 << 20 });
    expect(checkVm(b.kmm, [])).toEqual([]);
    expect(checkVm(b.kmm, [], { baseline: vmBaseline(b.kmm), quiescent: true })).toEqual([]);
    const w = world();
    expect(formatViolations(checkVm(w.kmm, [w.mm], { baseline: w.base }))).toBe('');
    const child = w.kmm.dupMmap(w.mm) as MmStruct;
    expect(check(w, [w.mm, child])).toEqual([]);
    touch(w, w.mm, w.rw, Access.Write); // copy-on-write breaks one sharing
    expect(check(w, [w.mm, child])).toEqual([]);
    w.kmm.exitMmap(child);
    w.kmm.exitMmap(w.mm);
    w.kmm.dropCaches(1);
    expect(check(w, [], true)).toEqual([]);
  });

  it('finds nothing with 5-level paging', () => {
    const w = world(5);
    expect(check(w)).toEqual([]);
  });
});

describe('checkVm: each invariant fails when broken on purpose', () => {
  it('pte-frame: a PTE pointing at a free frame', () => {
    const w = world();
    const pte = pteOf(w.kmm, w.mm, w.rw);
    const lo = w.kmm.mem.read32(pte);
    w.kmm.mem.write32(pte, ((freeFrame(w.kmm) * PAGE_SIZE) | (lo & 0xfff)) >>> 0);
    expect(check(w)).toContain('pte-frame');
  });

  it('pte-frame: a PTE pointing at a page-table page', () => {
    const w = world();
    const pte = pteOf(w.kmm, w.mm, w.rw);
    const table = Math.floor(pte / PAGE_SIZE) * PAGE_SIZE;
    w.kmm.mem.write32(pte, (table | (w.kmm.mem.read32(pte) & 0xfff)) >>> 0);
    expect(check(w)).toContain('pte-frame');
  });

  it('frames-baseline: a frame leaked after every process exited', () => {
    const w = world();
    w.kmm.exitMmap(w.mm);
    w.kmm.buddy.allocPages(0, Owner.Kernel);
    expect(check(w, [], true)).toEqual(['frames-baseline']);
  });

  it("frames-baseline: vmalloc's page tables made after the baseline stay (as Linux's), but the vmalloc'd pages do not", () => {
    // The module fuzzer, seed 1 case 11: a module's vmalloc, freed at rmmod, left the vmalloc area's PMD and PTE pages.
    const w = world();
    w.kmm.exitMmap(w.mm);
    const v = w.kmm.vmalloc(3 * PAGE_SIZE);
    expect(check(w, [], true)).toEqual(['frames-baseline']);
    w.kmm.vfree(v!);
    expect(check(w, [], true)).toEqual([]);
  });

  it('pgtables-baseline and pgtable-leak: a page table allocated and never linked', () => {
    const w = world();
    pgtableAlloc(w.kmm);
    expect(check(w)).toEqual(['pgtable-leak']);
    w.kmm.exitMmap(w.mm);
    expect(check(w, [], true)).toEqual(['pgtable-leak', 'frames-baseline', 'pgtables-baseline']);
  });

  it('refcount: an anonymous page leaked while its mm lives', () => {
    const w = world();
    w.kmm.buddy.allocPages(0, Owner.Anon);
    expect(check(w)).toEqual(['refcount']);
  });

  it('refcount and mapcount: counters that disagree with the page tables', () => {
    const w = world();
    const pfn = entryPfn(w.kmm.mem.read32(pteOf(w.kmm, w.mm, w.rw)), 0);
    w.kmm.memMap.refcount[pfn]!++;
    expect(check(w)).toEqual(['refcount']);
    w.kmm.memMap.refcount[pfn]!--;
    w.kmm.memMap.mapcount[pfn]!++;
    expect(check(w)).toEqual(['mapcount']);
  });

  it('vma-order: two VMAs that overlap', () => {
    const w = world();
    const [a, b] = w.mm.vmas.toArray();
    a!.vmEnd = b!.vmStart + PAGE_SIZE;
    expect(check(w)).toContain('vma-order');
  });

  it('vma-range: a VMA reaching past TASK_SIZE', () => {
    const w = world();
    const vmas = w.mm.vmas.toArray();
    vmas[vmas.length - 1]!.vmEnd = w.mm.taskSize + PAGE_SIZE;
    expect(check(w)).toContain('vma-range');
  });

  it('pte-outside-vma: a VMA shrunk without unmapping its pages', () => {
    const w = world();
    const vma = w.mm.vmas.vmaLookup(w.rw)!;
    vma.vmEnd -= PAGE_SIZE;
    expect(check(w)).toContain('pte-outside-vma');
  });

  it('pte-stray: a non-present PTE holding bits', () => {
    const w = world();
    const pte = pteOf(w.kmm, w.mm, w.rw);
    w.kmm.mem.write32(pte ^ (256 * 8), 0x1000); // an empty slot of the same table
    expect(check(w)).toEqual(['pte-stray']);
  });

  it('pte-rights: a writable PTE in a read-only VMA', () => {
    const w = world();
    const pte = pteOf(w.kmm, w.mm, w.ro);
    w.kmm.mem.write32(pte, w.kmm.mem.read32(pte) | PTE_RW);
    expect(check(w)).toContain('pte-rights');
  });

  it('cow: a page shared by fork made writable in one of them', () => {
    const w = world();
    const child = w.kmm.dupMmap(w.mm) as MmStruct;
    const pte = pteOf(w.kmm, child, w.rw);
    w.kmm.mem.write32(pte, w.kmm.mem.read32(pte) | PTE_RW);
    expect(check(w, [w.mm, child])).toEqual(['cow']);
  });

  it('rss: an RSS counter off by one', () => {
    const w = world();
    w.mm.rssAnon++;
    expect(check(w)).toEqual(['rss']);
  });

  it('pcid: two mms with one PCID', () => {
    const w = world();
    const other = newMm(w.kmm);
    other.pcid = w.mm.pcid;
    w.kmm.switchMm(w.mm);
    expect(check(w, [w.mm, other])).toContain('pcid');
  });

  it('tlb-stale: a PTE cleared without invalidating the TLB', () => {
    const w = world();
    const pte = pteOf(w.kmm, w.mm, w.rw);
    w.kmm.mem.write32(pte, 0);
    w.kmm.mem.write32(pte + 4, 0);
    expect(check(w)).toContain('tlb-stale');
  });

  it('tlb-stale: a PTE write-protected without invalidating the TLB', () => {
    const w = world();
    const pte = pteOf(w.kmm, w.mm, w.rw);
    w.kmm.mem.write32(pte, w.kmm.mem.read32(pte) & ~PTE_RW);
    expect(check(w)).toEqual(['tlb-stale']);
  });

  it('tlb-freed: a page unmapped and freed while the TLB still maps it', () => {
    const w = world();
    const pte = pteOf(w.kmm, w.mm, w.rw);
    const pfn = entryPfn(w.kmm.mem.read32(pte), w.kmm.mem.read32(pte + 4));
    w.kmm.mem.write32(pte, 0);
    w.kmm.mem.write32(pte + 4, 0);
    w.mm.rssAnon--;
    w.kmm.memMap.mapcount[pfn]!--;
    w.kmm.buddy.putPage(pfn);
    expect(check(w)).toEqual(['tlb-freed', 'tlb-stale']);
  });

  it('kernel-half: an mm whose top-level kernel entry differs from swapper_pg_dir', () => {
    const w = world();
    w.kmm.mem.write32(w.mm.pgd + 300 * 8, 0x5000 | PTE_P);
    expect(check(w)).toContain('kernel-half');
  });

  it('kernel-half: a PML5 kernel entry changed in an mm with 5-level paging', () => {
    const w = world(5);
    const at = w.mm.pgd + 511 * 8;
    w.kmm.mem.write32(at, w.kmm.mem.read32(at) ^ PTE_RW);
    expect(check(w)).toContain('kernel-half');
  });

  it('kernel-half: swapper_pg_dir itself changed since boot (every mm copying it)', () => {
    const w = world();
    const po = w.kmm.kspace.pageOffset;
    const directMap = ((po.hi >>> 7) & 511) * 8;
    for (const pgd of [w.kmm.kspace.initPgd, w.mm.pgd]) w.kmm.mem.write32(pgd + directMap, w.kmm.mem.read32(pgd + directMap) ^ PTE_RW);
    expect(check(w)).toContain('kernel-half');
  });

  it('kernel-tables: a direct-map entry below the top level cleared', () => {
    const w = world();
    const po = w.kmm.kspace.pageOffset;
    const top = w.kmm.kspace.initPgd + ((po.hi >>> 7) & 511) * 8;
    const pud = entryAddr(w.kmm.mem.read32(top), w.kmm.mem.read32(top + 4));
    w.kmm.mem.write32(pud, 0);
    expect(check(w)).toContain('kernel-tables');
  });

  it('kernel-tables: a vmalloc PTE mapping a frame that is not vmalloc\'s', () => {
    const w = world();
    const kva = w.kmm.vmalloc(PAGE_SIZE)!;
    expect(check(w)).toEqual([]);
    const pte = lookupPte(w.kmm, w.kmm.kspace.initPgd, kva.lo, kva.hi);
    w.kmm.mem.write32(pte, ((freeFrame(w.kmm) * PAGE_SIZE) | (w.kmm.mem.read32(pte) & 0xfff)) >>> 0);
    expect(check(w)).toContain('kernel-tables');
  });
});
