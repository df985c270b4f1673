// The mm system calls (riscv64 numbers): mmap, munmap, mprotect, mremap,
// madvise, brk. Each unpacks its arguments with the C types' views and calls
// kernel-ts/mm (mmap.ts, mremap.ts), which does Linux's checks and returns a
// value or -errno.
//
// File mappings resolve the fd through the VFS's contract
// `k.vfs.fileForMmap(t, fd): MmapSource | -errno` (MmapSource in mm/mmap.ts:
// the file, its open mode, a driver's mmap hook). Until the VFS provides it,
// file mappings fail with -ENODEV.
import type { Kernel } from '../kernel';
import type { Task } from '../proc/task';
import { EBADF, EINVAL, ENODEV } from '../errno';
import type { KernelMm } from '../mm/kernel-mm';
import type { MmStruct } from '../mm/mm-struct';
import { MAP_ANONYMOUS } from '../mm/mmap';
import type { MmapSource } from '../mm/mmap';
import type { SyscallArgs } from './args';
import { NR } from './numbers';
import type { SyscallTable } from './table';

/** What mm needs from the VFS (K3 implements it on Vfs). */
export interface MmapVfs {
  fileForMmap(t: Task, fd: number): MmapSource | number;
}

// The kernel's KernelMm and the task's MmStruct are kernel-ts/mm's classes;
// proc/deps.ts names them by interface, hence the narrowing here.
function kmmOf(k: Kernel): KernelMm {
  return k.mm as unknown as KernelMm;
}

function mmOf(t: Task): MmStruct | null {
  return t.mm as unknown as MmStruct | null;
}

function fileSource(k: Kernel, t: Task, fd: number): MmapSource | number {
  if (fd < 0) return -EBADF;
  const vfs = k.vfs as unknown as Partial<MmapVfs> | undefined;
  if (vfs === undefined || typeof vfs.fileForMmap !== 'function') return -ENODEV;
  return vfs.fileForMmap(t, fd);
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
};
