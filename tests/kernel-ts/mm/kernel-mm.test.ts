import { describe, expect, it } from 'vitest';
import { Access, PF_P, PF_U, PF_W } from '../../../emu/machine/trap';
import { CR4_LA57, CR4_PCIDE, CR4_SMAP, CR4_SMEP, PTE_G, PTE_PS, PTE_US } from '../../../emu/machine/mmu/paging';
import { read64Big } from '../../../emu/machine/mem/phys';
import { VM_FAULT_OK, VM_FAULT_SIGSEGV_ACCERR, VM_FAULT_SIGSEGV_MAPERR } from '../../../kernel-ts/mm/memory';
import { FaultKind } from '../../../kernel-ts/mm/mm-struct';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../kernel-ts/mm/mmap';
import { boot, fault, newMm, touch, userAccess } from './helpers';
import { archPickMmapLayout, archRandomizeBrk } from '../../../kernel-ts/mm/aslr';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

function entry(b: ReturnType<typeof boot>, table: number, index: number): bigint {
  return read64Big(b.machine.mem, table + index * 8);
}

describe('kernel page tables', () => {
  it('boots with NXE, PGE, PCIDE, SMEP and SMAP on', () => {
    const b = boot();
    const cr4 = b.machine.mmu.cr4;
    expect(cr4 & (CR4_PCIDE | CR4_SMEP | CR4_SMAP)).toBe(CR4_PCIDE | CR4_SMEP | CR4_SMAP);
    expect(cr4 & CR4_LA57).toBe(0);
    expect(b.machine.mmu.cr3).toBe(b.kmm.kspace.initPgd);
  });

  it('shares the kernel half: two pgds differ, their entries 256..511 point at the same tables', () => {
    const b = boot();
    const a = newMm(b.kmm);
    const c = newMm(b.kmm);
    expect(a.pgd).not.toBe(c.pgd);
    // The direct map's PML4 slot (273) and vmalloc's (402) are the same PUD pages in both.
    expect(entry(b, a.pgd, 273)).toBe(entry(b, c.pgd, 273));
    expect(entry(b, a.pgd, 402)).toBe(entry(b, c.pgd, 402));
    expect(entry(b, a.pgd, 273)).toBe(entry(b, b.kmm.kspace.initPgd, 273));
    expect(entry(b, a.pgd, 273) & BigInt(PTE_US)).toBe(0n);
    for (let i = 0; i < 256; i++) expect(entry(b, a.pgd, i)).toBe(0n);
  });

  it('direct-maps 64 MiB with 2M pages, global and supervisor-only', () => {
    const b = boot();
    expect(b.kmm.kspace.directMap).toEqual({ pages4k: 0, pages2m: 32, pages1g: 0 });
    const p = b.machine.mmu.probe(0, 0xffff8880 | 0, Access.Read, 0);
    expect(p.kind).toBe('ok');
    const leaf = p.levels[p.levels.length - 1]!;
    expect(leaf.name).toBe('PDE');
    expect(leaf.flags.ps && leaf.flags.g && !leaf.flags.us && leaf.flags.nx).toBe(true);
  });

  it('uses 1G pages for whole GiBs and 4K for an unaligned tail', () => {
    const b = boot({ memSize: (1 << 30) + (2 << 20) + 3 * 4096 });
    expect(b.kmm.kspace.directMap).toEqual({ pages4k: 3, pages2m: 1, pages1g: 1 });
    const pgd = b.kmm.kspace.initPgd;
    const pud = Number(entry(b, pgd, 273) & 0xffffffffff000n);
    expect(entry(b, pud, 0) & BigInt(PTE_PS | PTE_G)).toBe(BigInt(PTE_PS | PTE_G));
  });

  it('5-level paging: LA57, direct map at 0xff11000000000000', () => {
    const b = boot({ paging: 5 });
    expect(b.machine.mmu.cr4 & CR4_LA57).toBe(CR4_LA57);
    const p = b.machine.mmu.probe(0x1000, 0xff110000 | 0, Access.Read, 0);
    expect(p.kind === 'ok' && p.pa).toBe(0x1000);
    const mm = newMm(b.kmm);
    expect(mm.taskSize).toBe(2 ** 56 - 4096);
    const a = b.kmm.doMmap(mm, 0, 4096, RW, ANON);
    touch(b, mm, a, Access.Write);
    expect(b.kmm.followPte(mm, a).present).toBe(true);
  });
});

describe('demand paging', () => {
  it('a CPL-3 write faults, handleMmFault maps a zeroed page, the retry succeeds', () => {
    const b = boot();
    const mm = newMm(b.kmm);
    const a = b.kmm.doMmap(mm, 0, 3 * 4096, RW, ANON);
    expect(userAccess(b, a + 8, Access.Write)).toEqual({ fault: PF_W | PF_U });
    expect(fault(b, mm, a + 8, PF_W | PF_U)).toBe(VM_FAULT_OK);
    expect(mm.lastFault).toBe(FaultKind.DemandZero);
    const pa = userAccess(b, a + 8, Access.Write);
    expect(typeof pa).toBe('number');
    const pte = b.kmm.followPte(mm, a);
    expect(pte).toMatchObject({ present: true, writable: true, user: true, dirty: true, accessed: true, nx: true });
    expect(pa).toBe(pte.pfn * 4096 + 8);
    expect(b.machine.mem.readBytes(pte.pfn * 4096, 4096).every((x) => x === 0)).toBe(true);
    expect(mm.rssAnon).toBe(1);
    expect(b.kmm.memMap.pageMapcount(pte.pfn)).toBe(1);
  });

  it('a reused frame is zeroed again (only never-used frames skip the clearing)', () => {
    const b = boot();
    const mm = newMm(b.kmm);
    const a = b.kmm.doMmap(mm, 0, 4096, RW, ANON);
    const pa = touch(b, mm, a, Access.Write);
    b.machine.mem.write32(pa + 100, 0x5a5a5a5a);
    b.kmm.doMunmap(mm, a, 4096);
    const c = b.kmm.doMmap(mm, 0, 4096, RW, ANON);
    expect(touch(b, mm, c, Access.Read)).toBe(pa);
    expect(b.machine.mem.read32(pa + 100)).toBe(0);
  });

  it('SIGSEGV: MAPERR outside every VMA, ACCERR for a write to a read-only VMA', () => {
    const b = boot();
    const mm = newMm(b.kmm);
    const a = b.kmm.doMmap(mm, 0, 4096, PROT_READ, ANON);
    expect(fault(b, mm, 0x1000, PF_U)).toBe(VM_FAULT_SIGSEGV_MAPERR);
    expect(fault(b, mm, a, PF_U | PF_W)).toBe(VM_FAULT_SIGSEGV_ACCERR);
    touch(b, mm, a, Access.Read);
    expect(userAccess(b, a, Access.Write)).toEqual({ fault: PF_P | PF_W | PF_U });
    expect(fault(b, mm, a, PF_P | PF_W | PF_U)).toBe(VM_FAULT_SIGSEGV_ACCERR);
    expect(mm.faultCounts[FaultKind.Segv]).toBe(3);
  });
});

describe('fork: copy-on-write', () => {
  it('shares the frame read-only, then copies on the child write (error 0x7) and reuses on the parent write', () => {
    const b = boot();
    const kmm = b.kmm;
    const parent = newMm(kmm);
    const a = kmm.doMmap(parent, 0, 4096, RW, ANON);
    const pa = touch(b, parent, a, Access.Write);
    b.machine.mem.write32(pa, 0x1234);
    const pfn = kmm.followPte(parent, a).pfn;
    const child = kmm.dupMmap(parent);
    if (typeof child === 'number') throw new Error('dupMmap failed');
    expect(kmm.memMap.refcount[pfn]).toBe(2);
    expect(kmm.memMap.pageMapcount(pfn)).toBe(2);
    expect(kmm.followPte(parent, a).writable).toBe(false);
    expect(kmm.followPte(child, a)).toMatchObject({ present: true, writable: false, pfn });
    // The parent's stale writable TLB entry was invalidated: its write faults now.
    expect(userAccess(b, a, Access.Write)).toEqual({ fault: 0x7 });
    kmm.switchMm(child);
    expect(userAccess(b, a, Access.Write)).toEqual({ fault: PF_P | PF_W | PF_U });
    expect(fault(b, child, a, 0x7)).toBe(VM_FAULT_OK);
    expect(child.lastFault).toBe(FaultKind.CowCopy);
    const cpa = userAccess(b, a, Access.Write) as number;
    expect(Math.floor(cpa / 4096)).not.toBe(pfn);
    expect(b.machine.mem.read32(cpa)).toBe(0x1234);
    expect(kmm.memMap.refcount[pfn]).toBe(1);
    expect(kmm.memMap.pageMapcount(pfn)).toBe(1);
    kmm.switchMm(parent);
    expect(fault(b, parent, a, 0x7)).toBe(VM_FAULT_OK);
    expect(parent.lastFault).toBe(FaultKind.CowReuse);
    expect(kmm.followPte(parent, a)).toMatchObject({ pfn, writable: true });
  });

  it('frames and page tables return to the baseline after both exit', () => {
    const b = boot();
    const kmm = b.kmm;
    const base = kmm.framesInUse();
    const parent = newMm(kmm);
    const a = kmm.doMmap(parent, 0, 64 * 4096, RW, ANON);
    for (let i = 0; i < 64; i++) touch(b, parent, a + i * 4096, Access.Write);
    const child = kmm.dupMmap(parent) as Exclude<ReturnType<typeof kmm.dupMmap>, number>;
    kmm.switchMm(child);
    for (let i = 0; i < 64; i += 2) touch(b, child, a + i * 4096, Access.Write);
    expect(kmm.framesInUse()).toBe(base + 2 + 64 + 32 + 2 * 3);
    kmm.exitMmap(child);
    kmm.exitMmap(parent);
    expect(kmm.framesInUse()).toBe(base);
    expect(b.machine.mmu.cr3).toBe(kmm.kspace.initPgd);
  });
});

describe('munmap', () => {
  it('frees the frames and the emptied page-table pages', () => {
    const b = boot();
    const kmm = b.kmm;
    const mm = newMm(kmm);
    const base = kmm.framesInUse();
    const a = kmm.doMmap(mm, 0, 16 * 4096, RW, ANON);
    for (let i = 0; i < 16; i++) touch(b, mm, a + i * 4096, Access.Write);
    expect(kmm.framesInUse()).toBe(base + 16 + 3);
    expect(kmm.doMunmap(mm, a, 16 * 4096)).toBe(0);
    expect(kmm.framesInUse()).toBe(base);
    expect(mm.rss).toBe(0);
    expect(userAccess(b, a, Access.Read)).toEqual({ fault: PF_U });
  });
});

describe('ASLR helpers', () => {
  it('mmap_base below the stack gap; brk within 32 MiB; both page aligned and seeded', () => {
    const b = boot();
    const mm = newMm(b.kmm);
    // Non-random layout: TASK_SIZE_LOW - (8 MiB + 1 MiB guard gap), clamped to at least 128 MiB.
    expect(mm.mmapBase).toBe(2 ** 47 - 4096 - (128 << 20));
    let seed = 0.5;
    const random = (): number => seed;
    archPickMmapLayout(mm, random, true);
    const gap = (8 << 20) + (1 << 20) + 0x3fffff * 4096;
    expect(mm.mmapBase).toBe(2 ** 47 - 4096 - gap - 2 ** 27 * 4096);
    mm.brk = 0x500000;
    seed = 0.25;
    expect(archRandomizeBrk(mm, random)).toBe(0x500000 + (8 << 20));
  });
});
