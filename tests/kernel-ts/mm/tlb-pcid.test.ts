import { describe, expect, it } from 'vitest';
import { Access, PF_U, PF_W } from '../../../emu/machine/trap';
import { VM_FAULT_OK, VM_FAULT_SIGBUS } from '../../../kernel-ts/mm/memory';
import { FaultKind } from '../../../kernel-ts/mm/mm-struct';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../../kernel-ts/mm/mmap';
import type { MappableFile } from '../../../kernel-ts/fs/mappable';
import { VM_IO, VM_PFNMAP, type VmAreaStruct } from '../../../kernel-ts/mm/vma';
import { SyscallArgs } from '../../../kernel-ts/syscalls/args';
import { NR } from '../../../kernel-ts/syscalls/numbers';
import { mmSyscalls } from '../../../kernel-ts/syscalls/mm';
import type { Kernel } from '../../../kernel-ts/kernel';
import type { Task } from '../../../kernel-ts/proc/task';
import { boot, fault, newMm, touch, userAccess } from './helpers';
import { TWO32 } from '../../../emu/machine/cpu/int64';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

describe('PCIDs and TLB flushes', () => {
  it('each mm has its own PCID; switching back keeps its TLB entries (CR3 NOFLUSH)', () => {
    const b = boot();
    const kmm = b.kmm;
    const a = newMm(kmm);
    const va = kmm.doMmap(a, 0, 4096, RW, ANON);
    touch(b, a, va, Access.Write);
    const c = newMm(kmm);
    expect(a.pcid).toBe(1);
    expect(c.pcid).toBe(2);
    expect(b.machine.mmu.cr3).toBe(c.pgd + 2);
    kmm.switchMm(a);
    const walks = b.machine.mmu.stats().dtlb.walks;
    expect(typeof userAccess(b, va, Access.Write)).toBe('number');
    expect(b.machine.mmu.stats().dtlb.walks).toBe(walks);
    kmm.exitMmap(c);
    expect(newMm(kmm).pcid).toBe(3);
  });

  it('setPte on a non-current mm invalidates that PCID (INVPCID); tlb:tlb_flush is traced', () => {
    const b = boot();
    const kmm = b.kmm;
    b.trace.enable('tlb:tlb_flush');
    const a = newMm(kmm);
    const va = kmm.doMmap(a, 0, 4096, RW, ANON);
    touch(b, a, va, Access.Write);
    newMm(kmm);
    expect(kmm.doMprotect(a, va, 4096, PROT_READ)).toBe(0);
    kmm.switchMm(a);
    expect(userAccess(b, va, Access.Write)).toEqual({ fault: 7 });
    expect(b.trace.records.map((r) => r.text)).toEqual([
      'pages:-1 reason:flush on task switch (0)',
      'pages:-1 reason:flush on task switch (0)',
      'pages:1 reason:local mm shootdown (3)',
    ]);
  });

  it('kmem:mm_page_alloc and mm_page_free are traced', () => {
    const b = boot();
    b.trace.enable('kmem:mm_page_alloc,kmem:mm_page_free');
    const mm = newMm(b.kmm);
    const texts = b.trace.records.map((r) => `${r.event} ${r.text}`);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/^kmem:mm_page_alloc page=0xffffea[0-9a-f]{10} pfn=0x[0-9a-f]+ order=0 migratetype=0 gfp_flags=GFP_KERNEL$/);
    b.kmm.exitMmap(mm);
    expect(b.trace.records[1]!.event).toBe('kmem:mm_page_free');
  });
});

describe('device mappings', () => {
  it('vmOps.fault supplies raw pfns (no reference taken); an error outcome is passed on', () => {
    const b = boot();
    const kmm = b.kmm;
    const mm = newMm(kmm);
    const dev: MappableFile = { path: '/dev/fb0', devMajor: 29, devMinor: 0, ino: 7, size: 1 << 20, readPage: () => {} };
    const calls: number[] = [];
    const a = kmm.doMmap(mm, 0, 2 * 4096, RW, MAP_SHARED, {
      file: dev,
      writable: true,
      mmap: (vma: VmAreaStruct) => {
        vma.vmFlags |= VM_PFNMAP | VM_IO;
        vma.vmOps = {
          name: 'fb',
          fault: (v, addr) => {
            calls.push(addr - v.vmStart);
            return addr === v.vmStart ? 0x80 : -VM_FAULT_SIGBUS;
          },
        };
        return 0;
      },
    });
    const before = kmm.memMap.refcount[0x80];
    expect(touch(b, mm, a + 12, Access.Write)).toBe(0x80 * 4096 + 12);
    expect(mm.lastFault).toBe(FaultKind.Pfnmap);
    expect(kmm.memMap.refcount[0x80]).toBe(before);
    expect(fault(b, mm, a + 4096, PF_U | PF_W)).toBe(VM_FAULT_SIGBUS);
    expect(calls).toEqual([0, 4096]);
    expect(kmm.doMunmap(mm, a, 8192)).toBe(0);
    expect(kmm.memMap.refcount[0x80]).toBe(before);
    expect(VM_FAULT_OK).toBe(0);
  });
});

describe('mm syscalls', () => {
  it('mmap, mprotect, munmap, brk through the syscall table', () => {
    const b = boot();
    const kmm = b.kmm;
    const mm = newMm(kmm);
    mm.startBrk = mm.brk = 0x800000;
    const vfs = { fileForMmap: (_t: Task, fd: number) => (fd === 3 ? -19 : -9) };
    const k = { mm: kmm, vfs } as unknown as Kernel;
    const t = { pid: 1, comm: 't', mm } as unknown as Task;
    const args = (...v: number[]): SyscallArgs => {
      const a = new SyscallArgs();
      v.forEach((x, i) => {
        a.half[2 * i] = x % TWO32 | 0;
        a.half[2 * i + 1] = Math.floor(x / TWO32) | 0;
      });
      return a;
    };
    const addr = mmSyscalls[NR.mmap]!(k, t, args(0, 8192, RW, ANON, -1 >>> 0, 0));
    expect(addr).toBe(mm.mmapBase - 8192);
    expect(mmSyscalls[NR.mmap]!(k, t, args(0, 4096, RW, MAP_PRIVATE, 3, 0))).toBe(-19);
    expect(mmSyscalls[NR.mmap]!(k, t, args(0, 4096, RW, MAP_PRIVATE, TWO32 - 1, 0))).toBe(-9);
    expect(mmSyscalls[NR.mprotect]!(k, t, args(addr, 4096, PROT_READ))).toBe(0);
    expect(mmSyscalls[NR.munmap]!(k, t, args(addr, 8192))).toBe(0);
    expect(mmSyscalls[NR.brk]!(k, t, args(0))).toBe(0x800000);
    expect(mmSyscalls[NR.brk]!(k, t, args(0x802000))).toBe(0x802000);
    expect(mmSyscalls[NR.madvise]!(k, t, args(0x800000, 4096, 4))).toBe(0);
    expect(mmSyscalls[NR.mremap]!(k, t, args(0x800000, 8192, 4096, 0, 0))).toBe(0x800000);
  });
});
