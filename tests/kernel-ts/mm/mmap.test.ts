import { describe, expect, it } from 'vitest';
import { Access, PF_U, PF_W } from '../../../emu/machine/trap';
import type { MappableFile } from '../../../kernel-ts/fs/mappable';
import { VM_FAULT_OK, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV_ACCERR, VM_FAULT_SIGSEGV_MAPERR } from '../../../kernel-ts/mm/memory';
import { FaultKind } from '../../../kernel-ts/mm/mm-struct';
import {
  MADV_DONTFORK, MADV_DONTNEED, MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_POPULATE, MAP_PRIVATE,
  MAP_SHARED, PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE,
} from '../../../kernel-ts/mm/mmap';
import { MREMAP_FIXED, MREMAP_MAYMOVE } from '../../../kernel-ts/mm/mremap';
import { PM_FILE, PM_MMAP_EXCLUSIVE, PM_PRESENT, PM_SOFT_DIRTY } from '../../../kernel-ts/mm/introspect';
import { showMaps } from '../../../kernel-ts/mm/vma';
import type { MmStruct } from '../../../kernel-ts/mm/mm-struct';
import { boot, fault, newMm, touch, userAccess } from './helpers';
import { EACCES, EEXIST, EINVAL, ENOMEM } from '../../../kernel-ts/errno';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

function fakeFile(size: number, ino = 42): MappableFile & { reads: number } {
  return {
    path: '/data/file',
    devMajor: 8,
    devMinor: 1,
    ino,
    size,
    reads: 0,
    readPage(index: number, into: Uint8Array) {
      this.reads++;
      const n = Math.min(4096, size - index * 4096);
      for (let i = 0; i < n; i++) into[i] = (index * 7 + i) & 0xff;
    },
  };
}

describe('mmap', () => {
  it('checks its arguments as Linux does', () => {
    const { kmm } = boot();
    const mm = newMm(kmm);
    expect(kmm.doMmap(mm, 0, 0, RW, ANON)).toBe(-EINVAL);
    expect(kmm.doMmap(mm, 0x10001, 4096, RW, ANON | MAP_FIXED)).toBe(-EINVAL);
    expect(kmm.doMmap(mm, 0, 4096, RW, MAP_ANONYMOUS)).toBe(-EINVAL);
    expect(kmm.doMmap(mm, 0, 4096, RW, ANON, null, 100)).toBe(-EINVAL);
    expect(kmm.doMmap(mm, 0, 2 ** 48, RW, ANON)).toBe(-ENOMEM);
    expect(kmm.doMmap(mm, 2 ** 47 - 4096, 8192, RW, ANON | MAP_FIXED)).toBe(-ENOMEM);
    expect(kmm.doMmap(mm, 0x1000, 4096, RW, ANON | MAP_FIXED)).toBe(-1);
    expect(kmm.doMmap(mm, 0x1000, 4096, RW, ANON)).toBe(0x10000);
    expect(kmm.doMmap(mm, 0x10000800, 4096, RW, ANON | MAP_FIXED_NOREPLACE)).toBe(-EINVAL);
    const a = kmm.doMmap(mm, 0x10000000, 8192, RW, ANON | MAP_FIXED_NOREPLACE);
    expect(a).toBe(0x10000000);
    expect(kmm.doMmap(mm, 0x10001000, 4096, RW, ANON | MAP_FIXED_NOREPLACE)).toBe(-EEXIST);
    const f = fakeFile(8192);
    expect(kmm.doMmap(mm, 0, 4096, RW, MAP_SHARED, { file: f, readable: true, writable: false })).toBe(-EACCES);
    expect(kmm.doMmap(mm, 0, 4096, PROT_READ, MAP_PRIVATE, { file: f, readable: false })).toBe(-EACCES);
  });

  it('places mappings top-down below mmap_base and merges neighbours', () => {
    const { kmm } = boot();
    const mm = newMm(kmm);
    const a = kmm.doMmap(mm, 0, 4096, RW, ANON);
    const b = kmm.doMmap(mm, 0, 4096, RW, ANON);
    expect(a).toBe(mm.mmapBase - 4096);
    expect(b).toBe(a - 4096);
    expect(mm.vmas.length).toBe(1);
    expect(kmm.doMmap(mm, b, 4096, PROT_READ, ANON | MAP_FIXED)).toBe(b);
    expect(showMaps(mm.vmas)).toBe(
      `${b.toString(16)}-${a.toString(16)} r--p 00000000 00:00 0 \n${a.toString(16)}-${(a + 4096).toString(16)} rw-p 00000000 00:00 0 \n`,
    );
  });

  it('MAP_POPULATE faults the pages in at once', () => {
    const { kmm } = boot();
    const mm = newMm(kmm);
    const a = kmm.doMmap(mm, 0, 4 * 4096, RW, ANON | MAP_POPULATE);
    expect(mm.rssAnon).toBe(4);
    expect(kmm.followPte(mm, a + 3 * 4096)).toMatchObject({ present: true, writable: true });
  });
});

describe('file mappings and the page cache', () => {
  it('two processes share the cached frame; dropCaches frees it only when unmapped', () => {
    const b = boot();
    const kmm = b.kmm;
    const f = fakeFile(3 * 4096 + 100);
    const src = { file: f, readable: true };
    const p1 = newMm(kmm);
    const a1 = kmm.doMmap(p1, 0, 4 * 4096, PROT_READ, MAP_PRIVATE, src, 4096);
    const pa1 = touch(b, p1, a1 + 5, Access.Read);
    expect(p1.lastFault).toBe(FaultKind.FileRead);
    expect(b.machine.mem.read8(pa1)).toBe((1 * 7 + 5) & 0xff);
    const p2 = newMm(kmm);
    const a2 = kmm.doMmap(p2, 0, 4096, PROT_READ, MAP_PRIVATE, { file: fakeFile(3 * 4096 + 100) }, 4096);
    const pa2 = touch(b, p2, a2 + 5, Access.Read);
    expect(pa2).toBe(pa1);
    expect(f.reads).toBe(1);
    const pfn = Math.floor(pa1 / 4096);
    expect(kmm.memMap.refcount[pfn]).toBe(3);
    expect(kmm.memMap.pageMapcount(pfn)).toBe(2);
    expect(p1.rssFile).toBe(1);
    expect(kmm.meminfoValues().Cached).toBe(4);
    expect(kmm.dropCaches()).toBe(0);
    kmm.exitMmap(p2);
    kmm.exitMmap(p1);
    expect(kmm.memMap.refcount[pfn]).toBe(1);
    expect(kmm.dropCaches()).toBe(1);
    expect(kmm.meminfoValues().Cached).toBe(0);
    // A new run reads the file again into a (possibly) new frame.
    const p3 = newMm(kmm);
    const a3 = kmm.doMmap(p3, 0, 4096, PROT_READ, MAP_PRIVATE, src, 4096);
    touch(b, p3, a3, Access.Read);
    expect(f.reads).toBe(2);
  });

  it('a private write copies the page; past EOF is SIGBUS', () => {
    const b = boot();
    const kmm = b.kmm;
    const f = fakeFile(4096 + 10);
    const mm = newMm(kmm);
    const a = kmm.doMmap(mm, 0, 3 * 4096, RW, MAP_PRIVATE, { file: f }, 0);
    const pa = touch(b, mm, a, Access.Write);
    expect(mm.lastFault).toBe(FaultKind.FileCow);
    expect(b.machine.mem.read8(pa + 3)).toBe(3);
    expect(kmm.pagemapEntry(mm, a) & (PM_FILE | PM_PRESENT | PM_MMAP_EXCLUSIVE)).toBe(PM_PRESENT | PM_MMAP_EXCLUSIVE);
    touch(b, mm, a + 4096, Access.Read);
    expect(kmm.pagemapEntry(mm, a + 4096) & PM_FILE).toBe(PM_FILE);
    expect(kmm.followPte(mm, a + 4096).writable).toBe(false);
    // Write to the read-only cache page: COW copy.
    touch(b, mm, a + 4096, Access.Write);
    expect(mm.lastFault).toBe(FaultKind.CowCopy);
    expect(fault(b, mm, a + 8192, PF_U)).toBe(VM_FAULT_SIGBUS);
  });

  it('MAP_SHARED writes go to the page cache and are seen by the next mapping', () => {
    const b = boot();
    const kmm = b.kmm;
    const f = fakeFile(4096);
    const mm = newMm(kmm);
    const a = kmm.doMmap(mm, 0, 4096, RW, MAP_SHARED, { file: f, writable: true });
    kmm.putUser32(mm, a, 0xcafe);
    kmm.doMunmap(mm, a, 4096);
    const c = kmm.doMmap(mm, 0, 4096, PROT_READ, MAP_SHARED, { file: f });
    expect(kmm.getUser32(mm, c)).toBe(0xcafe);
  });

  it('write(2) and read(2) stay coherent with mappings through filemapWrite / filemapReadCached', () => {
    const b = boot();
    const kmm = b.kmm;
    const f = fakeFile(2 * 4096);
    const mm = newMm(kmm);
    const a = kmm.doMmap(mm, 0, 2 * 4096, RW, MAP_SHARED, { file: f, writable: true });
    expect(kmm.getUser32(mm, a + 4096)).toBe(0x0a090807);
    kmm.filemapWrite(f, 4094, Uint8Array.of(1, 2, 3, 4));
    expect(kmm.getUser32(mm, a + 4096)).toBe(0x0a090403);
    kmm.putUser32(mm, a + 4096 + 8, 0xfeedface);
    const page = new Uint8Array(4096);
    expect(kmm.filemapReadCached(f, 1, page)).toBe(true);
    expect(page[8]).toBe(0xce);
    expect(kmm.filemapReadCached(f, 0, page)).toBe(false);
  });

  it('MAP_SHARED|MAP_ANONYMOUS is shared with a forked child, and freed with the last user', () => {
    const b = boot();
    const kmm = b.kmm;
    const base = kmm.framesInUse();
    const parent = newMm(kmm);
    const a = kmm.doMmap(parent, 0, 2 * 4096, RW, MAP_SHARED | MAP_ANONYMOUS);
    kmm.putUser32(parent, a, 7);
    const child = kmm.dupMmap(parent) as MmStruct;
    kmm.putUser32(child, a + 4096, 9);
    expect(kmm.getUser32(parent, a + 4096)).toBe(9);
    expect(kmm.getUser32(child, a)).toBe(7);
    expect(showMaps(parent.vmas)).toContain('rw-s 00000000 00:01');
    expect(kmm.meminfoValues().Shmem).toBe(8);
    kmm.exitMmap(child);
    kmm.exitMmap(parent);
    expect(kmm.framesInUse()).toBe(base);
  });
});

describe('stack growth', () => {
  it('grows a VM_GROWSDOWN VMA within RLIMIT_STACK, not into the guard gap', () => {
    const b = boot();
    const kmm = b.kmm;
    const mm = newMm(kmm);
    const top = 0x7ff000000000;
    const s = kmm.doMmap(mm, top - 4096, 4096, RW, ANON | MAP_FIXED | MAP_GROWSDOWN);
    expect(s).toBe(top - 4096);
    touch(b, mm, top - 3 * 4096 + 16, Access.Write);
    expect(mm.lastFault).toBe(FaultKind.StackGrow);
    expect(mm.vmas.findVma(top - 1)!.vmStart).toBe(top - 3 * 4096);
    expect(fault(b, mm, top - (8 << 20) - 4096, PF_U | PF_W)).toBe(VM_FAULT_SIGSEGV_MAPERR);
    // A mapping just below: growth must keep stack_guard_gap (1 MiB) away from it.
    kmm.doMmap(mm, top - (4 << 20), 4096, RW, ANON | MAP_FIXED);
    expect(fault(b, mm, top - (4 << 20) + 4096 + (1 << 20) - 4096, PF_U | PF_W)).toBe(VM_FAULT_SIGSEGV_MAPERR);
    expect(fault(b, mm, top - (4 << 20) + 4096 + (1 << 20), PF_U | PF_W)).toBe(VM_FAULT_OK);
  });
});

describe('mprotect, munmap, mremap, madvise, brk', () => {
  it('mprotect changes the PTEs and splits the VMA; PROT_NONE keeps the data', () => {
    const b = boot();
    const kmm = b.kmm;
    const mm = newMm(kmm);
    const a = kmm.doMmap(mm, 0, 3 * 4096, RW, ANON);
    for (let i = 0; i < 3; i++) kmm.putUser32(mm, a + i * 4096, 100 + i);
    expect(kmm.doMprotect(mm, a + 4096, 4096, PROT_READ)).toBe(0);
    expect(mm.vmas.length).toBe(3);
    expect(userAccess(b, a + 4096, Access.Write)).toEqual({ fault: 0x7 });
    expect(fault(b, mm, a + 4096, 0x7)).toBe(VM_FAULT_SIGSEGV_ACCERR);
    expect(kmm.doMprotect(mm, a + 4096, 4096, PROT_NONE)).toBe(0);
    expect(userAccess(b, a + 4096, Access.Read)).toEqual({ fault: PF_U });
    expect(fault(b, mm, a + 4096, PF_U)).toBe(VM_FAULT_SIGSEGV_ACCERR);
    expect(kmm.pagemapEntry(mm, a + 4096) & PM_PRESENT).toBe(PM_PRESENT);
    expect(kmm.doMprotect(mm, a + 4096, 4096, RW)).toBe(0);
    expect(mm.vmas.length).toBe(1);
    expect(kmm.getUser32(mm, a + 4096)).toBe(101);
    expect(kmm.followPte(mm, a + 4096).writable).toBe(true);
    expect(kmm.doMprotect(mm, a + 1, 4096, PROT_READ)).toBe(-EINVAL);
    expect(kmm.doMprotect(mm, a, 8 * 4096, PROT_READ)).toBe(-ENOMEM);
    expect(kmm.doMprotect(mm, a, 4096, PROT_EXEC | 0x40)).toBe(-EINVAL);
  });

  it('munmap splits a VMA and checks its arguments', () => {
    const b = boot();
    const kmm = b.kmm;
    const mm = newMm(kmm);
    const a = kmm.doMmap(mm, 0, 3 * 4096, RW, ANON | MAP_POPULATE);
    expect(kmm.doMunmap(mm, a + 4096, 4096)).toBe(0);
    expect(mm.vmas.length).toBe(2);
    expect(mm.rssAnon).toBe(2);
    expect(fault(b, mm, a + 4096, PF_U)).toBe(VM_FAULT_SIGSEGV_MAPERR);
    expect(kmm.doMunmap(mm, a + 1, 4096)).toBe(-EINVAL);
    expect(kmm.doMunmap(mm, a, 0)).toBe(-EINVAL);
    expect(kmm.doMunmap(mm, 0x1000, 4096)).toBe(0);
  });

  it('mremap grows in place, moves page-table entries (not data) and honours MREMAP_FIXED', () => {
    const b = boot();
    const kmm = b.kmm;
    const mm = newMm(kmm);
    const a = kmm.doMmap(mm, 0x20000000, 2 * 4096, RW, ANON | MAP_FIXED);
    kmm.putUser32(mm, a, 0x55);
    const pfn = kmm.followPte(mm, a).pfn;
    expect(kmm.doMremap(mm, a, 2 * 4096, 4 * 4096, 0)).toBe(a);
    expect(mm.vmas.findVma(a)!.vmEnd).toBe(a + 4 * 4096);
    kmm.doMmap(mm, a + 4 * 4096, 4096, PROT_READ, ANON | MAP_FIXED);
    expect(kmm.doMremap(mm, a, 4 * 4096, 8 * 4096, 0)).toBe(-ENOMEM);
    const n = kmm.doMremap(mm, a, 4 * 4096, 8 * 4096, MREMAP_MAYMOVE);
    expect(n).not.toBe(a);
    expect(kmm.followPte(mm, n)).toMatchObject({ present: true, pfn });
    expect(kmm.followPte(mm, a).present).toBe(false);
    expect(kmm.memMap.pageMapcount(pfn)).toBe(1);
    expect(kmm.getUser32(mm, n)).toBe(0x55);
    expect(kmm.doMremap(mm, n, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, 0x30000000)).toBe(0x30000000);
    expect(kmm.getUser32(mm, 0x30000000)).toBe(0x55);
    expect(kmm.doMremap(mm, 0x30000000, 4096, 4096, MREMAP_FIXED, 0x40000000)).toBe(-EINVAL);
    expect(kmm.doMremap(mm, 0x50000000, 4096, 8192, MREMAP_MAYMOVE)).toBe(-14);
  });

  it('MADV_DONTNEED zaps: anonymous memory reads back zero; MADV_DONTFORK keeps it from the child', () => {
    const b = boot();
    const kmm = b.kmm;
    const mm = newMm(kmm);
    const a = kmm.doMmap(mm, 0, 2 * 4096, RW, ANON);
    kmm.putUser32(mm, a, 77);
    expect(kmm.doMadvise(mm, a, 4096, MADV_DONTNEED)).toBe(0);
    expect(mm.rssAnon).toBe(0);
    expect(kmm.getUser32(mm, a)).toBe(0);
    expect(kmm.doMadvise(mm, a, 4096, 99)).toBe(-EINVAL);
    expect(kmm.doMadvise(mm, a + 1, 4096, MADV_DONTNEED)).toBe(-EINVAL);
    expect(kmm.doMadvise(mm, a, 4 * 4096, MADV_DONTNEED)).toBe(-ENOMEM);
    expect(kmm.doMadvise(mm, a + 4096, 4096, MADV_DONTFORK)).toBe(0);
    const child = kmm.dupMmap(mm) as MmStruct;
    expect(child.vmas.length).toBe(1);
    expect(child.vmas.findVma(a)!.vmEnd).toBe(a + 4096);
  });

  it('brk grows and shrinks the [heap] VMA, and returns the old break on failure', () => {
    const b = boot();
    const kmm = b.kmm;
    const mm = newMm(kmm);
    mm.startBrk = mm.brk = 0x600000;
    expect(kmm.doBrk(mm, 0)).toBe(0x600000);
    expect(kmm.doBrk(mm, 0x600010)).toBe(0x600010);
    expect(showMaps(mm.vmas)).toBe(`00600000-00601000 rw-p 00000000 00:00 0${' '.repeat(34)}[heap]\n`);
    kmm.putUser32(mm, 0x600000, 5);
    expect(kmm.doBrk(mm, 0x603000)).toBe(0x603000);
    expect(mm.vmas.length).toBe(1);
    expect(kmm.doBrk(mm, 0x5fffff)).toBe(0x603000);
    kmm.doMmap(mm, 0x700000, 4096, RW, ANON | MAP_FIXED);
    expect(kmm.doBrk(mm, 0x700000)).toBe(0x603000);
    expect(kmm.doBrk(mm, 0x600100)).toBe(0x600100);
    expect(mm.vmas.findVma(0x600000)!.vmEnd).toBe(0x601000);
    expect(kmm.getUser32(mm, 0x600000)).toBe(5);
  });

  it('brk refuses what it cannot honour (too large, past TASK_SIZE, into a mapping), moving and mapping nothing', () => {
    const b = boot();
    const kmm = b.kmm;
    const mm = newMm(kmm);
    mm.startBrk = mm.brk = 0x600000;
    expect(kmm.doBrk(mm, 0x602000)).toBe(0x602000);
    const maps = showMaps(mm.vmas);
    const frames = kmm.framesInUse();
    // Nothing above the heap yet. The 64 MiB machine cannot back more than its managed pages (__vm_enough_memory, OVERCOMMIT_GUESS) ...
    const managed = kmm.buddy.nrManagedPages * 4096;
    expect(kmm.doBrk(mm, 0x10000000 + managed)).toBe(0x602000);
    expect(kmm.doBrk(mm, 0x602000 + 2 ** 46)).toBe(0x602000);
    expect(kmm.doBrk(mm, 2 ** 46)).toBe(0x602000);
    // ... nor anything past TASK_SIZE (check_brk_limits), the kernel half included.
    expect(kmm.doBrk(mm, mm.taskSize + 4096)).toBe(0x602000);
    expect(kmm.doBrk(mm, 2 ** 64 - 2 ** 38)).toBe(0x602000);
    expect(kmm.doBrk(mm, 2 ** 64 - 4096)).toBe(0x602000);
    expect(showMaps(mm.vmas)).toBe(maps);
    // Growing into a mapping, past it, or up to its start (one free page must stay) is refused.
    kmm.doMmap(mm, 0x700000, 4096, RW, ANON | MAP_FIXED);
    const withMapping = showMaps(mm.vmas);
    expect(kmm.doBrk(mm, 0x700800)).toBe(0x602000);
    expect(kmm.doBrk(mm, 0x800000)).toBe(0x602000);
    expect(kmm.doBrk(mm, 0x700000)).toBe(0x602000);
    expect(mm.brk).toBe(0x602000);
    expect(showMaps(mm.vmas)).toBe(withMapping);
    expect(kmm.doBrk(mm, 0x6ff000)).toBe(0x6ff000);
    expect(kmm.doBrk(mm, 0x602000)).toBe(0x602000);
    expect(kmm.doMunmap(mm, 0x700000, 4096)).toBe(0);
    expect(showMaps(mm.vmas)).toBe(maps);
    expect(kmm.framesInUse()).toBe(frames);
  });

  it('brk shrinks only over something mapped (the heap unmapped by hand stays as it is)', () => {
    const b = boot();
    const kmm = b.kmm;
    const mm = newMm(kmm);
    mm.startBrk = mm.brk = 0x600000;
    expect(kmm.doBrk(mm, 0x604000)).toBe(0x604000);
    expect(kmm.doMunmap(mm, 0x600000, 0x4000)).toBe(0);
    expect(kmm.doBrk(mm, 0x601000)).toBe(0x604000);
    expect(kmm.doBrk(mm, 0x604800)).toBe(0x604800);
  });
});

describe('introspection', () => {
  it('pagemap: present, PFN, exclusive, soft-dirty', () => {
    const b = boot();
    const kmm = b.kmm;
    const mm = newMm(kmm);
    const a = kmm.doMmap(mm, 0, 2 * 4096, RW, ANON);
    kmm.putUser32(mm, a, 1);
    const pfn = BigInt(kmm.followPte(mm, a).pfn);
    expect(kmm.pagemapEntry(mm, a)).toBe(PM_PRESENT | PM_MMAP_EXCLUSIVE | PM_SOFT_DIRTY | pfn);
    expect(kmm.pagemapEntry(mm, a + 4096)).toBe(PM_SOFT_DIRTY);
    expect(kmm.pagemapEntry(mm, 0x1000)).toBe(0n);
  });

  it('status: VmSize, VmRSS, VmData, VmPTE as task_mem prints them', () => {
    const b = boot();
    const kmm = b.kmm;
    const mm = newMm(kmm);
    kmm.doMmap(mm, 0, 16 * 4096, RW, ANON | MAP_POPULATE);
    const s = kmm.statusValues(mm);
    expect(s).toMatchObject({ VmSize: 64, VmRSS: 64, RssAnon: 64, VmData: 64, VmStk: 0, VmPTE: 16 });
    expect(kmm.status(mm)).toContain('VmRSS:\t      64 kB\n');
    expect(kmm.meminfo()).toMatch(/^MemTotal:          64512 kB\nMemFree: {8}/);
  });
});
