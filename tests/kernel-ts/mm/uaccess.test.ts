import { describe, expect, it } from 'vitest';
import { Access, PF_P, PF_U, Vector, isTrap } from '../../../emu/machine/trap';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../kernel-ts/mm/mmap';
import { FaultKind } from '../../../kernel-ts/mm/mm-struct';
import { kvaAdd } from '../../../kernel-ts/mm/kaddr';
import { boot, newMm, touch } from './helpers';
import { EFAULT } from '../../../kernel-ts/errno';
import { TWO32 } from '../../../emu/machine/cpu/int64';
import { VM_FAULT_SIGSEGV_MAPERR } from '../../../kernel-ts/mm/memory';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

/** A CPL-0 access through the real MMU: the PA, or the #PF error code. */
function kernelAccess(b: ReturnType<typeof boot>, lo: number, hi: number, access: Access): number | { fault: number } {
  try {
    return b.machine.mmu.translate(lo, hi | 0, access);
  } catch (e) {
    if (!isTrap(e)) throw e;
    expect(b.machine.mmu.trap.vector).toBe(Vector.PF);
    return { fault: b.machine.mmu.trap.error };
  }
}

describe('uaccess', () => {
  it('copies to and from lazily faulted pages, across a page boundary', () => {
    const b = boot();
    const kmm = b.kmm;
    const mm = newMm(kmm);
    const a = kmm.doMmap(mm, 0, 2 * 4096, RW, ANON);
    const bytes = Uint8Array.from({ length: 100 }, (_, i) => i + 1);
    expect(kmm.copyToUser(mm, a + 4050, bytes)).toBe(0);
    expect(mm.faultCounts[FaultKind.DemandZero]).toBe(2);
    expect(kmm.copyFromUser(mm, a + 4050, 100)).toEqual(bytes);
    expect(kmm.getUser32(mm, a + 4050)).toBe(0x04030201);
    expect(kmm.putUser64(mm, a + 8, 0x1122334455667788n)).toBe(0);
    expect(kmm.getUser64(mm, a + 8)).toBe(0x1122334455667788n);
    expect(kmm.getUserPtr(mm, a + 8)).toBe(Number(0x1122334455667788n));
    expect(kmm.putUser32(mm, a + 16, 0xdeadbeef)).toBe(0);
    expect(kmm.getUser32(mm, a + 16)).toBe(0xdeadbeef);
    // The MMU state is back as it was: CPL 0, AC clear.
    expect(b.machine.mmu.cpl).toBe(0);
    expect(b.machine.mmu.ac).toBe(0);
  });

  it('reads NUL-terminated strings, -ENAMETOOLONG without a NUL within max', () => {
    const b = boot();
    const kmm = b.kmm;
    const mm = newMm(kmm);
    const a = kmm.doMmap(mm, 0, 4096, RW, ANON);
    kmm.copyToUser(mm, a, new TextEncoder().encode('/bin/sh\0'));
    expect(kmm.strncpyFromUser(mm, a, 4096)).toBe('/bin/sh');
    expect(kmm.strncpyFromUser(mm, a, 4)).toBe(-36);
  });

  it('-EFAULT for unmapped memory, kernel pointers, read-only targets; the kernel survives', () => {
    const b = boot();
    const kmm = b.kmm;
    const mm = newMm(kmm);
    const ro = kmm.doMmap(mm, 0, 4096, PROT_READ, ANON);
    expect(kmm.copyFromUser(mm, 0x1000, 8)).toBe(-EFAULT);
    expect(kmm.copyToUser(mm, ro, new Uint8Array(4))).toBe(-EFAULT);
    expect(kmm.copyFromUser(mm, ro, 4)).toEqual(new Uint8Array(4));
    // A kernel (direct-map) pointer is refused by access_ok without touching the MMU.
    const walks = b.machine.mmu.stats().dtlb.walks;
    expect(kmm.copyFromUser(mm, 0xffff888000001000, 8)).toBe(-EFAULT);
    expect(kmm.copyFromUser(mm, 2 ** 47 - 4096, 4097)).toBe(-EFAULT);
    expect(kmm.getUser32(mm, 2 ** 47)).toBe(-EFAULT);
    expect(b.machine.mmu.stats().dtlb.walks).toBe(walks);
    expect(kmm.strncpyFromUser(mm, 0x2000, 10)).toBe(-EFAULT);
  });

  it('SMAP: a CPL-0 access to a user page without AC faults with P=1 and no U', () => {
    const b = boot();
    const kmm = b.kmm;
    const mm = newMm(kmm);
    const a = kmm.doMmap(mm, 0, 4096, RW, ANON);
    touch(b, mm, a, Access.Write);
    const lo = a >>> 0;
    const hi = Math.floor(a / TWO32);
    expect(kernelAccess(b, lo, hi, Access.Read)).toEqual({ fault: PF_P });
    b.machine.mmu.setAc(1);
    expect(typeof kernelAccess(b, lo, hi, Access.Read)).toBe('number');
    b.machine.mmu.setAc(0);
    // And through uaccess, which opens AC around the access.
    expect(kmm.copyFromUser(mm, a, 4)).toEqual(new Uint8Array(4));
  });

  it('a write through uaccess breaks copy-on-write (CR0.WP)', () => {
    const b = boot();
    const kmm = b.kmm;
    const parent = newMm(kmm);
    const a = kmm.doMmap(parent, 0, 4096, RW, ANON);
    kmm.putUser32(parent, a, 1);
    const child = kmm.dupMmap(parent);
    if (typeof child === 'number') throw new Error('dupMmap');
    expect(kmm.putUser32(child, a, 2)).toBe(0);
    expect(child.lastFault).toBe(FaultKind.CowCopy);
    expect(kmm.getUser32(parent, a)).toBe(1);
    expect(kmm.getUser32(child, a)).toBe(2);
    expect(kmm.activeMm).toBe(parent);
  });
});

describe('kernel memory', () => {
  it('kzalloc zeroes; virtToPhys/physToVirt are the direct-map offset', () => {
    const b = boot();
    const kmm = b.kmm;
    const p = kmm.kmalloc(64);
    b.machine.mem.writeBytes(p, new Uint8Array(64).fill(0xaa));
    kmm.kfree(p);
    const z = kmm.kzalloc(64);
    expect(z).toBe(p);
    expect(b.machine.mem.readBytes(z, 64).every((x) => x === 0)).toBe(true);
    const kva = kmm.physToVirt(z);
    expect(kmm.fmtKva(kva)).toBe(`0xffff8880${z.toString(16).padStart(8, '0')}`);
    expect(kmm.virtToPhys(kva)).toBe(z);
  });

  it('vmalloc maps scattered frames with a guard page; virtToPhys is wrong for it, vmallocToPfn right', () => {
    const b = boot();
    const kmm = b.kmm;
    const v = kmm.vmalloc(2 * 4096)!;
    expect(kmm.fmtKva(v)).toBe('0xffffc90000000000');
    const pfn0 = kmm.vmallocToPfn(v);
    const pfn1 = kmm.vmallocToPfn(kvaAdd(v, 4096));
    expect(pfn0).toBeGreaterThan(0);
    expect(pfn1).toBeGreaterThan(0);
    expect(kmm.virtToPhys(v)).not.toBe(pfn0 * 4096);
    expect(kernelAccess(b, v.lo + 4096 + 8, v.hi, Access.Write)).toBe(pfn1 * 4096 + 8);
    // The guard page after the area is not mapped: a kernel access faults (not present, supervisor).
    expect(kmm.vmallocToPfn(kvaAdd(v, 8192))).toBe(-1);
    expect(kernelAccess(b, v.lo + 8192, v.hi, Access.Read)).toEqual({ fault: 0 });
    // The next area starts after the guard page.
    expect(kmm.fmtKva(kmm.vmalloc(1)!)).toBe('0xffffc90000003000');
    expect(kmm.meminfoValues().VmallocUsed).toBe(12);
  });

  it('vmalloc with 5-level paging lives at 0xffa0000000000000', () => {
    const b = boot({ paging: 5 });
    const v = b.kmm.vmalloc(100)!;
    expect(b.kmm.fmtKva(v)).toBe('0xffa0000000000000');
    expect(kernelAccess(b, v.lo, v.hi, Access.Read)).toBe(b.kmm.vmallocToPfn(v) * 4096);
    expect(b.kmm.fmtKva(b.kmm.physToVirt(0x2000))).toBe('0xff11000000002000');
  });

  it('vfree leaves a stale TLB entry until the lazy purge', () => {
    const b = boot();
    const kmm = b.kmm;
    const v = kmm.vmalloc(4096)!;
    const pa = kernelAccess(b, v.lo, v.hi, Access.Read);
    expect(pa).toBe(kmm.vmallocToPfn(v) * 4096);
    expect(kmm.vfree(v)).toBe(0);
    expect(kmm.vmallocToPfn(v)).toBe(-1);
    // The PTE is gone but the translation is still cached: the access hits.
    expect(kernelAccess(b, v.lo, v.hi, Access.Read)).toBe(pa);
    // The address is not reused before the purge.
    expect(kmm.fmtKva(kmm.vmalloc(4096)!)).toBe('0xffffc90000002000');
    kmm.purgeVmapAreaLazy();
    expect(kernelAccess(b, v.lo, v.hi, Access.Read)).toEqual({ fault: 0 });
    expect(kmm.vfree(v)).toBe(-22);
  });

  it('kernel mappings are supervisor-only: a CPL-3 access to the direct map faults with P|U', () => {
    const b = boot();
    const mm = newMm(b.kmm);
    b.machine.mmu.setCpl(3);
    try {
      b.machine.mmu.translate(0x1000, 0xffff8880 | 0, Access.Read);
      throw new Error('no fault');
    } catch (e) {
      expect(isTrap(e)).toBe(true);
      expect(b.machine.mmu.trap.error).toBe(PF_P | PF_U);
    } finally {
      b.machine.mmu.setCpl(0);
    }
    expect(b.kmm.handleMmFault(mm, 0x1000, 0xffff8880 | 0, PF_P | PF_U)).toBe(VM_FAULT_SIGSEGV_MAPERR);
  });
});
