// msync's writeback and mlock's population and accounting (kernel-ts/mm/
// msync.ts, mlock.ts) through the system calls of a booted kernel. Their
// return values against Linux are in guest-programs/libc-tests/files.c
// (tests/guest/libc-c.test.ts); these look at what only the kernel sees.
import { describe, expect, it } from 'vitest';
import { NR } from '../../../kernel-ts/syscalls/numbers';
import { call, spawned } from '../proc/helpers';
import type { Kernel } from '../../../kernel-ts/kernel';
import type { Task } from '../../../kernel-ts/proc/task';
import type { Inode } from '../../../kernel-ts/fs/inode';
import { VM_LOCKED } from '../../../kernel-ts/mm/vma';
import { EINVAL, ENOMEM, EPERM } from '../../../kernel-ts/errno';
import { RLIMIT_MEMLOCK } from '../../../kernel-ts/resource';

const PG = 4096;
const AT_FDCWD = -100;
const PROT_RW = 3;
const MAP_SHARED = 0x01;
const MAP_PRIVATE_ANON = 0x22;
const MS_ASYNC = 1;
const MS_SYNC = 4;

function sharedFile(k: Kernel, t: Task, scratch: number): { fd: number; m: number; inode: Inode } {
  expect(k.mm.copyToUser(t.mm!, scratch, new TextEncoder().encode('/tmp/m\0'))).toBe(0);
  const fd = call(k, t, NR.openat, AT_FDCWD, scratch, 0o102, 0o600);
  expect(call(k, t, NR.ftruncate, fd, 2 * PG)).toBe(0);
  const m = call(k, t, NR.mmap, 0, 2 * PG, PROT_RW, MAP_SHARED, fd, 0);
  expect(m).toBeGreaterThan(0);
  return { fd, m, inode: k.vfs.lookup('/tmp/m') as Inode };
}

const fileBytes = (inode: Inode, pos: number, n: number): string => {
  const b = new Uint8Array(n);
  inode.read(pos, b);
  return new TextDecoder().decode(b);
};

const vmlck = (k: Kernel, t: Task): number => k.mm.statusValues(t.mm!).VmLck;

describe('msync', () => {
  it('MS_SYNC writes a shared mapping\'s stores into the file; MS_ASYNC does not start writeback', () => {
    const { k, t, scratch } = spawned();
    const { m, inode } = sharedFile(k, t, scratch);
    expect(k.mm.copyToUser(t.mm!, m + PG + 8, new TextEncoder().encode('stored'))).toBe(0);
    expect(fileBytes(inode, PG + 8, 6)).toBe('\0'.repeat(6));
    expect(call(k, t, NR.msync, m, 2 * PG, MS_ASYNC)).toBe(0);
    expect(fileBytes(inode, PG + 8, 6)).toBe('\0'.repeat(6));
    expect(call(k, t, NR.msync, m, PG, MS_SYNC)).toBe(0); // the first page only: not the one stored to
    expect(fileBytes(inode, PG + 8, 6)).toBe('\0'.repeat(6));
    expect(call(k, t, NR.msync, m + PG, PG, MS_SYNC)).toBe(0);
    expect(fileBytes(inode, PG + 8, 6)).toBe('stored');
    // Cleaned: a later store is written by the next msync again.
    expect(k.mm.copyToUser(t.mm!, m + PG + 8, new TextEncoder().encode('again!'))).toBe(0);
    expect(call(k, t, NR.msync, m, 2 * PG, MS_SYNC)).toBe(0);
    expect(fileBytes(inode, PG + 8, 6)).toBe('again!');
  });

  it('a private mapping of the file is never written back', () => {
    const { k, t, scratch } = spawned();
    const { fd, inode } = sharedFile(k, t, scratch);
    const p = call(k, t, NR.mmap, 0, PG, PROT_RW, 0x02, fd, 0);
    expect(k.mm.copyToUser(t.mm!, p, new TextEncoder().encode('private'))).toBe(0);
    expect(call(k, t, NR.msync, p, PG, MS_SYNC)).toBe(0);
    expect(fileBytes(inode, 0, 7)).toBe('\0'.repeat(7));
  });
});

describe('mlock', () => {
  it('faults the range in at once, counts it in VmLck and smaps Locked; munlock keeps the pages', () => {
    const { k, t } = spawned();
    const a = call(k, t, NR.mmap, 0, 8 * PG, PROT_RW, MAP_PRIVATE_ANON, -1, 0);
    const rss = t.mm!.rss;
    expect(call(k, t, NR.mlock, a + PG + 100, 2 * PG)).toBe(0); // touches 3 pages
    expect(t.mm!.rss - rss).toBe(3);
    expect(vmlck(k, t)).toBe(12);
    expect(k.mm.smapsRollup(t.mm!)).toMatch(/Locked:\s+12 kB/);
    expect(t.mm!.vmas.toArray().filter((v) => v.vmFlags & VM_LOCKED).map((v) => (v.vmEnd - v.vmStart) / PG)).toEqual([3]);
    expect(call(k, t, NR.munlock, a, 8 * PG)).toBe(0);
    expect(vmlck(k, t)).toBe(0);
    expect(t.mm!.rss - rss).toBe(3);
    // Unlocked again, the pieces merge back into one VMA.
    expect(t.mm!.vmas.findVma(a)!.vmEnd - a).toBe(8 * PG);
  });

  it('RLIMIT_MEMLOCK: -ENOMEM past it (already locked pages count once), -EPERM when it is 0', () => {
    const { k, t } = spawned();
    const a = call(k, t, NR.mmap, 0, 8 * PG, PROT_RW, MAP_PRIVATE_ANON, -1, 0);
    t.rlim.set(RLIMIT_MEMLOCK, { cur: BigInt(4 * PG), max: BigInt(4 * PG) });
    expect(call(k, t, NR.mlock, a, 4 * PG)).toBe(0);
    expect(call(k, t, NR.mlock, a, 4 * PG)).toBe(0);
    expect(call(k, t, NR.mlock, a, 5 * PG)).toBe(-ENOMEM);
    expect(call(k, t, NR.mlockall, 1)).toBe(-ENOMEM);
    t.rlim.set(RLIMIT_MEMLOCK, { cur: 0n, max: 0n });
    expect(call(k, t, NR.mlock, a, PG)).toBe(-EPERM);
    expect(call(k, t, NR.munlock, a, 8 * PG)).toBe(0);
  });

  it('mlockall(MCL_FUTURE) locks and populates later mappings; munlockall ends it; MADV_DONTNEED is refused while locked', () => {
    const { k, t } = spawned();
    expect(call(k, t, NR.mlockall, 2)).toBe(0);
    const rss = t.mm!.rss;
    const a = call(k, t, NR.mmap, 0, 4 * PG, PROT_RW, MAP_PRIVATE_ANON, -1, 0);
    expect(t.mm!.rss - rss).toBe(4);
    expect(vmlck(k, t)).toBe(16);
    expect(call(k, t, NR.madvise, a, PG, 4)).toBe(-EINVAL);
    expect(call(k, t, NR.munlockall)).toBe(0);
    expect(vmlck(k, t)).toBe(0);
    call(k, t, NR.mmap, 0, 4 * PG, PROT_RW, MAP_PRIVATE_ANON, -1, 0);
    expect(t.mm!.rss - rss).toBe(4);
    expect(call(k, t, NR.mlockall, 1 | 4)).toBe(0); // MCL_CURRENT | MCL_ONFAULT: locked, not populated
    expect(t.mm!.rss - rss).toBe(4);
    expect(vmlck(k, t)).toBe(t.mm!.totalVm * 4);
    expect(call(k, t, NR.mlockall, 8)).toBe(-EINVAL);
  });

  it('fork does not copy the locks (dup_mmap clears VM_LOCKED)', () => {
    const { k, t } = spawned();
    const a = call(k, t, NR.mmap, 0, 2 * PG, PROT_RW, MAP_PRIVATE_ANON, -1, 0);
    expect(call(k, t, NR.mlock, a, 2 * PG)).toBe(0);
    const child = k.mm.dupMmap(t.mm!);
    expect(typeof child).not.toBe('number');
    expect(vmlck(k, t)).toBe(8);
    expect(k.mm.statusValues(child as NonNullable<Task['mm']>).VmLck).toBe(0);
  });
});
