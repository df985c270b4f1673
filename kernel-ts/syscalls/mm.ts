// The mm system calls (riscv64 numbers): mmap, munmap, mprotect, mremap,
// madvise, brk, msync, mlock, munlock, mlockall, munlockall. Each unpacks its arguments with the C types' views and calls
// kernel-ts/mm (mmap.ts, mremap.ts, msync.ts, mlock.ts), which does Linux's checks and returns a
// value or -errno.
//
// File mappings resolve the fd through the VFS: `k.vfs.fileForMmap(t, fd)`
// gives the file, its open mode, whether it is /dev/zero (anonymous) and a
// driver's mmap hook (mm/mmap.ts MmapSource), or -EBADF / -ENODEV.
import type { Kernel } from '../kernel';
import type { Task } from '../proc/task';
import { EBADF, EINVAL } from '../errno';
import type { KernelMm } from '../mm/kernel-mm';
import type { MmStruct } from '../mm/mm-struct';
import { MAP_ANONYMOUS } from '../mm/mmap';
import type { MmapSource } from '../mm/mmap';
import type { SyscallArgs } from './args';
import { NR } from './numbers';
import type { SyscallTable } from './table';

function kmmOf(k: Kernel): KernelMm {
  return k.mm;
}

function mmOf(t: Task): MmStruct | null {
  return t.mm;
}

function fileSource(k: Kernel, t: Task, fd: number): MmapSource | number {
  if (fd < 0) return -EBADF;
  return k.vfs.fileForMmap(t, fd);
}

function sysMmap(k: Kernel, t: Task, a: SyscallArgs): number {
  const mm = mmOf(t);
  if (mm === null) return -EINVAL;
  const flags = a.int(3);
  let src: MmapSource | null = null;
  if ((flags & MAP_ANONYMOUS) === 0) {
    const s = fileSource(k, t, a.int(4));
    if (typeof s === 'number') return s;
    src = s;
  }
  return kmmOf(k).doMmap(mm, a.u64(0), a.u64(1), a.int(2), flags, src, a.s64(5));
}

function sysMunmap(k: Kernel, t: Task, a: SyscallArgs): number {
  const mm = mmOf(t);
  return mm === null ? -EINVAL : kmmOf(k).doMunmap(mm, a.u64(0), a.u64(1));
}

function sysMprotect(k: Kernel, t: Task, a: SyscallArgs): number {
  const mm = mmOf(t);
  return mm === null ? -EINVAL : kmmOf(k).doMprotect(mm, a.u64(0), a.u64(1), a.int(2));
}

function sysMremap(k: Kernel, t: Task, a: SyscallArgs): number {
  const mm = mmOf(t);
  return mm === null ? -EINVAL : kmmOf(k).doMremap(mm, a.u64(0), a.u64(1), a.u64(2), a.int(3), a.u64(4));
}

function sysMadvise(k: Kernel, t: Task, a: SyscallArgs): number {
  const mm = mmOf(t);
  return mm === null ? -EINVAL : kmmOf(k).doMadvise(mm, a.u64(0), a.u64(1), a.int(2));
}

function sysMsync(k: Kernel, t: Task, a: SyscallArgs): number {
  const mm = mmOf(t);
  return mm === null ? -EINVAL : kmmOf(k).doMsync(mm, a.u64(0), a.u64(1), a.int(2));
}

function sysMlock(k: Kernel, t: Task, a: SyscallArgs): number {
  const mm = mmOf(t);
  return mm === null ? -EINVAL : kmmOf(k).doMlock(mm, a.u64(0), a.u64(1));
}

function sysMunlock(k: Kernel, t: Task, a: SyscallArgs): number {
  const mm = mmOf(t);
  return mm === null ? -EINVAL : kmmOf(k).doMunlock(mm, a.u64(0), a.u64(1));
}

function sysMlockall(k: Kernel, t: Task, a: SyscallArgs): number {
  const mm = mmOf(t);
  return mm === null ? -EINVAL : kmmOf(k).doMlockall(mm, a.int(0));
}

function sysMunlockall(k: Kernel, t: Task): number {
  const mm = mmOf(t);
  return mm === null ? -EINVAL : kmmOf(k).doMunlockall(mm);
}

function sysBrk(k: Kernel, t: Task, a: SyscallArgs): number {
  const mm = mmOf(t);
  return mm === null ? 0 : kmmOf(k).doBrk(mm, a.u64(0));
}

export const mmSyscalls: SyscallTable = {
  [NR.mmap]: sysMmap,
  [NR.munmap]: sysMunmap,
  [NR.mprotect]: sysMprotect,
  [NR.mremap]: sysMremap,
  [NR.madvise]: sysMadvise,
  [NR.brk]: sysBrk,
  [NR.msync]: sysMsync,
  [NR.mlock]: sysMlock,
  [NR.munlock]: sysMunlock,
  [NR.mlockall]: sysMlockall,
  [NR.munlockall]: sysMunlockall,
};
