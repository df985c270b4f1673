// The path and working-directory calls (syscalls/fs-path.ts over
// fs/namei-ops.ts) on a booted kernel: what only the kernel can show
// (inode counts, the file systems other than /tmp, fork's copy of the
// working directory). The same calls against glibc and Linux are in
// guest-programs/libc-tests/files.c (tests/guest/libc-c.test.ts).
import { describe, expect, it } from 'vitest';
import { NR } from '../../../kernel-ts/syscalls/numbers';
import { call, get, spawned } from '../proc/helpers';
import type { Kernel } from '../../../kernel-ts/kernel';
import type { Task } from '../../../kernel-ts/proc/task';
import { Task as TaskClass } from '../../../kernel-ts/proc/task';
import {
  EACCES, EBADF, EEXIST, EFAULT, EINVAL, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, EOPNOTSUPP, EPERM, ERANGE, EROFS,
} from '../../../kernel-ts/errno';

const AT_FDCWD = -100;
const AT_REMOVEDIR = 0x200;
const O_RDWR_CREAT = 0o102;
const O_DIRECTORY = 0o200000;

function str(k: Kernel, t: Task, addr: number, s: string): number {
  expect(k.mm.copyToUser(t.mm!, addr, new TextEncoder().encode(`${s}\0`))).toBe(0);
  return addr;
}
function cstr(k: Kernel, t: Task, addr: number, len: number): string {
  const b = k.mm.copyFromUser(t.mm!, addr, len);
  if (typeof b === 'number') throw new Error('cstr');
  return new TextDecoder().decode(b.subarray(0, b.indexOf(0)));
}

describe('mkdirat, unlinkat', () => {
  it('mkdir applies the umask; umask returns the old mask and keeps only 0777', () => {
    const { k, t, scratch } = spawned();
    expect(call(k, t, NR.umask, 0o7027)).toBe(0o022);
    expect(call(k, t, NR.umask, 0o027)).toBe(0o027);
    expect(call(k, t, NR.mkdirat, AT_FDCWD, str(k, t, scratch, '/tmp/d'), 0o777)).toBe(0);
    expect(k.vfs.lookup('/tmp/d')).toMatchObject({ mode: 0o40750, nlink: 2 });
    expect(k.vfs.tmp.nlink).toBe(3);
    const fd = call(k, t, NR.openat, AT_FDCWD, str(k, t, scratch, '/tmp/d/f'), O_RDWR_CREAT, 0o666);
    expect(fd).toBeGreaterThan(2);
    expect(k.vfs.lookup('/tmp/d/f')).toMatchObject({ mode: 0o100640 });
  });

  it('outside /tmp: -EROFS on rootfs (before -ENOENT), -EPERM in /proc and /sys, -EACCES in /dev', () => {
    const { k, t, scratch } = spawned();
    const p = (s: string): number => str(k, t, scratch, s);
    expect(call(k, t, NR.mkdirat, AT_FDCWD, p('/newdir'), 0o755)).toBe(-EROFS);
    expect(call(k, t, NR.unlinkat, AT_FDCWD, p('/bin/p'), 0)).toBe(-EROFS);
    expect(call(k, t, NR.unlinkat, AT_FDCWD, p('/nothing'), 0)).toBe(-EROFS);
    expect(call(k, t, NR.mkdirat, AT_FDCWD, p('/bin'), 0o755)).toBe(-EEXIST);
    expect(call(k, t, NR.mkdirat, AT_FDCWD, p('/proc/x'), 0o755)).toBe(-EPERM);
    expect(call(k, t, NR.unlinkat, AT_FDCWD, p('/proc/meminfo'), 0)).toBe(-EPERM);
    expect(call(k, t, NR.unlinkat, AT_FDCWD, p('/proc/none'), 0)).toBe(-ENOENT);
    expect(call(k, t, NR.mkdirat, AT_FDCWD, p('/sys/x'), 0o755)).toBe(-EPERM);
    expect(call(k, t, NR.unlinkat, AT_FDCWD, p('/dev/null'), 0)).toBe(-EACCES);
    expect(call(k, t, NR.unlinkat, AT_FDCWD, p('/tmp'), AT_REMOVEDIR)).toBe(-EROFS); // its parent is rootfs
    expect(call(k, t, NR.unlinkat, AT_FDCWD, p('/tmp/..'), AT_REMOVEDIR)).toBe(-ENOTEMPTY);
    expect(call(k, t, NR.unlinkat, AT_FDCWD, p('/tmp/.'), AT_REMOVEDIR)).toBe(-EINVAL);
    expect(call(k, t, NR.unlinkat, AT_FDCWD, p('/tmp/.'), 0)).toBe(-EISDIR);
    expect(call(k, t, NR.unlinkat, AT_FDCWD, p('/tmp/x'), 1)).toBe(-EINVAL);
    expect(call(k, t, NR.unlinkat, AT_FDCWD, 1, 0)).toBe(-EFAULT);
    expect(k.vfs.lookup('/dev/null')).not.toBeTypeOf('number');
  });

  it('a removed tmpfs file gives its inode and pages back at the last close, and reads until then', () => {
    const { k, t, scratch } = spawned();
    const shmem = k.vfs.tmp.sb.shmem!;
    const inodes = shmem.usedInodes;
    const fd = call(k, t, NR.openat, AT_FDCWD, str(k, t, scratch, '/tmp/f'), O_RDWR_CREAT, 0o600);
    str(k, t, scratch + 256, 'x'.repeat(100));
    expect(call(k, t, NR.pwrite64, fd, scratch + 256, 100, 8192)).toBe(100);
    expect([shmem.usedInodes, shmem.usedBlocks]).toEqual([inodes + 1, 1]);
    expect(call(k, t, NR.unlinkat, AT_FDCWD, str(k, t, scratch, '/tmp/f'), 0)).toBe(0);
    expect(k.vfs.lookup('/tmp/f')).toBe(-ENOENT);
    expect([shmem.usedInodes, shmem.usedBlocks]).toEqual([inodes + 1, 1]);
    expect(call(k, t, NR.pread64, fd, scratch + 512, 4, 8192)).toBe(4);
    expect(cstr(k, t, scratch + 512, 5).slice(0, 4)).toBe('xxxx');
    expect(call(k, t, NR.close, fd)).toBe(0);
    expect([shmem.usedInodes, shmem.usedBlocks]).toEqual([inodes, 0]);
    // A directory's slot comes back at rmdir.
    expect(call(k, t, NR.mkdirat, AT_FDCWD, str(k, t, scratch, '/tmp/d'), 0o700)).toBe(0);
    expect(shmem.usedInodes).toBe(inodes + 1);
    expect(call(k, t, NR.unlinkat, AT_FDCWD, str(k, t, scratch, '/tmp/d/'), AT_REMOVEDIR)).toBe(0);
    expect([shmem.usedInodes, k.vfs.tmp.nlink]).toEqual([inodes, 2]);
  });
});

describe('chdir, fchdir, getcwd', () => {
  it('relative paths start at the working directory; getcwd gives its path with the NUL counted', () => {
    const { k, t, scratch } = spawned();
    expect(call(k, t, NR.getcwd, scratch, 64)).toBe(2);
    expect(cstr(k, t, scratch, 64)).toBe('/');
    expect(call(k, t, NR.mkdirat, AT_FDCWD, str(k, t, scratch, '/tmp/w'), 0o755)).toBe(0);
    expect(call(k, t, NR.chdir, str(k, t, scratch, '/tmp/w'))).toBe(0);
    expect(call(k, t, NR.getcwd, scratch, 64)).toBe(7);
    expect(cstr(k, t, scratch, 64)).toBe('/tmp/w');
    expect(call(k, t, NR.getcwd, scratch, 6)).toBe(-ERANGE);
    const fd = call(k, t, NR.openat, AT_FDCWD, str(k, t, scratch, 'rel'), O_RDWR_CREAT, 0o644);
    expect(fd).toBeGreaterThan(2);
    expect(k.vfs.lookup('/tmp/w/rel')).not.toBeTypeOf('number');
    // newfstatat and statfs resolve from there too.
    expect(call(k, t, NR.newfstatat, AT_FDCWD, str(k, t, scratch, 'rel'), scratch + 256, 0)).toBe(0);
    expect(call(k, t, NR.chdir, str(k, t, scratch, '..'))).toBe(0);
    expect(call(k, t, NR.getcwd, scratch, 64)).toBe(5);
    expect(call(k, t, NR.chdir, str(k, t, scratch, 'w/rel'))).toBe(-ENOTDIR);
    expect(call(k, t, NR.chdir, str(k, t, scratch, 'nowhere'))).toBe(-ENOENT);
    const dfd = call(k, t, NR.openat, AT_FDCWD, str(k, t, scratch, 'w'), O_DIRECTORY, 0);
    expect(call(k, t, NR.fchdir, dfd)).toBe(0);
    expect(call(k, t, NR.fchdir, fd)).toBe(-ENOTDIR);
    expect(call(k, t, NR.fchdir, 77)).toBe(-EBADF);
    expect(call(k, t, NR.getcwd, scratch, 64)).toBe(7);
    // Removed while it is the working directory: getcwd is -ENOENT.
    expect(call(k, t, NR.unlinkat, AT_FDCWD, str(k, t, scratch, 'rel'), 0)).toBe(0);
    expect(call(k, t, NR.unlinkat, AT_FDCWD, str(k, t, scratch, '/tmp/w'), AT_REMOVEDIR)).toBe(0);
    expect(call(k, t, NR.getcwd, scratch, 64)).toBe(-ENOENT);
    // ... and takes no new names (IS_DEADDIR).
    expect(call(k, t, NR.mkdirat, AT_FDCWD, str(k, t, scratch, 'x'), 0o755)).toBe(-ENOENT);
    expect(call(k, t, NR.openat, AT_FDCWD, str(k, t, scratch, 'y'), O_RDWR_CREAT, 0o644)).toBe(-ENOENT);
  });

  it('fork copies the working directory and umask: the child changing its own leaves the parent\'s', () => {
    const { k, t, scratch } = spawned();
    expect(call(k, t, NR.chdir, str(k, t, scratch, '/proc'))).toBe(0);
    call(k, t, NR.umask, 0o077);
    const child = new TaskClass(999, 'c', t, t.files.dupForFork(), t.sighand.dup());
    expect(child.fs.pwd).toBe(t.fs.pwd);
    expect(child.fs.umask).toBe(0o077);
    child.fs.umask = 0;
    child.fs.pwd = k.vfs.tmp;
    expect(t.fs.umask).toBe(0o077);
    expect(t.fs.pwd!.path).toBe('/proc');
  });
});

describe('faccessat, truncate', () => {
  it('access: -EINVAL for mode bits past 7 or unknown flags, -EACCES for X_OK without an x bit, -EROFS for W_OK on rootfs', () => {
    const { k, t, scratch } = spawned();
    const p = (s: string): number => str(k, t, scratch, s);
    expect(call(k, t, NR.faccessat, AT_FDCWD, p('/bin/p'), 1)).toBe(0);
    expect(call(k, t, NR.faccessat, AT_FDCWD, p('/bin/p'), 2)).toBe(-EROFS);
    expect(call(k, t, NR.faccessat, AT_FDCWD, p('/proc/meminfo'), 1)).toBe(-EACCES);
    expect(call(k, t, NR.faccessat, AT_FDCWD, p('/dev/null'), 6)).toBe(0);
    expect(call(k, t, NR.faccessat, AT_FDCWD, p('/bin/p'), 8)).toBe(-EINVAL);
    expect(call(k, t, NR.faccessat2, AT_FDCWD, p('/bin/p'), 4, 0x4)).toBe(-EINVAL);
    expect(call(k, t, NR.faccessat2, AT_FDCWD, p('/bin/p'), 4, 0x200)).toBe(0);
    expect(call(k, t, NR.faccessat2, AT_FDCWD, p('/proc/self'), 0, 0x100)).toBe(0);
    const fd = call(k, t, NR.openat, AT_FDCWD, p('/bin/p'), 0, 0);
    expect(call(k, t, NR.faccessat2, fd, p(''), 1, 0x1000)).toBe(0);
    expect(call(k, t, NR.faccessat2, fd, p(''), 2, 0x1000)).toBe(-EROFS);
  });

  it('truncate: a regular file on /tmp grows and shrinks; -EISDIR, -EINVAL for a device, -EROFS, -EINVAL for a negative length', () => {
    const { k, t, scratch } = spawned();
    const p = (s: string): number => str(k, t, scratch, s);
    expect(call(k, t, NR.openat, AT_FDCWD, p('/tmp/f'), O_RDWR_CREAT, 0o644)).toBeGreaterThan(2);
    expect(call(k, t, NR.truncate, p('/tmp/f'), 12345)).toBe(0);
    expect(call(k, t, NR.newfstatat, AT_FDCWD, p('/tmp/f'), scratch + 256, 0)).toBe(0);
    expect(get(k, t, scratch + 256 + 48, 1)).toEqual([12345n]);
    expect(call(k, t, NR.truncate, p('/tmp/f'), -1)).toBe(-EINVAL);
    expect(call(k, t, NR.truncate, p('/tmp'), 0)).toBe(-EISDIR);
    expect(call(k, t, NR.truncate, p('/dev/zero'), 0)).toBe(-EINVAL);
    expect(call(k, t, NR.truncate, p('/bin/p'), 0)).toBe(-EROFS);
    expect(call(k, t, NR.truncate, p('/tmp/none'), 0)).toBe(-ENOENT);
  });
});

describe('fchmod, fchmodat, fchmodat2', () => {
  const AT_SYMLINK_NOFOLLOW = 0x100;
  const AT_EMPTY_PATH = 0x1000;
  const modeOf = (k: Kernel, path: string): number => (k.vfs.lookup(path) as { mode: number }).mode;

  it('a process changes the mode of what it made: the 07777 bits, the file type kept, umask not applied', () => {
    const { k, t, scratch } = spawned();
    const fd = call(k, t, NR.openat, AT_FDCWD, str(k, t, scratch, '/tmp/f'), O_RDWR_CREAT, 0o644);
    expect(k.vfs.lookup('/tmp/f')).toMatchObject({ uid: 1000, gid: 1000 });
    expect(call(k, t, NR.fchmodat, AT_FDCWD, str(k, t, scratch, '/tmp/f'), 0o104755)).toBe(0);
    expect(modeOf(k, '/tmp/f')).toBe(0o104755);
    expect(call(k, t, NR.fchmod, fd, 0o600)).toBe(0);
    expect(modeOf(k, '/tmp/f')).toBe(0o100600);
    expect(call(k, t, NR.mkdirat, AT_FDCWD, str(k, t, scratch, '/tmp/d'), 0o755)).toBe(0);
    expect(call(k, t, NR.chdir, str(k, t, scratch, '/tmp/d'))).toBe(0);
    expect(call(k, t, NR.fchmodat2, AT_FDCWD, str(k, t, scratch, ''), 0o1700, AT_EMPTY_PATH)).toBe(0);
    expect(modeOf(k, '/tmp/d')).toBe(0o41700);
    expect(call(k, t, NR.fchmodat2, fd, str(k, t, scratch, ''), 0o640, AT_EMPTY_PATH)).toBe(0);
    expect(call(k, t, NR.fchmodat, AT_FDCWD, str(k, t, scratch, '../f'), 0o444)).toBe(0);
    expect(modeOf(k, '/tmp/f')).toBe(0o100444);
    // The mode is what open(2) and exec check next.
    expect(call(k, t, NR.faccessat, AT_FDCWD, str(k, t, scratch, '../f'), 1)).toBe(-EACCES);
    expect(call(k, t, NR.fchmodat, AT_FDCWD, str(k, t, scratch, '../f'), 0o755)).toBe(0);
    expect(call(k, t, NR.faccessat, AT_FDCWD, str(k, t, scratch, '../f'), 1)).toBe(0);
  });

  it("another's file is -EPERM, a read-only mount -EROFS first, a symlink itself -EOPNOTSUPP", () => {
    const { k, t, scratch } = spawned();
    const p = (s: string): number => str(k, t, scratch, s);
    expect(call(k, t, NR.fchmodat, AT_FDCWD, p('/bin/p'), 0o777)).toBe(-EROFS);
    expect(call(k, t, NR.fchmodat, AT_FDCWD, p('/tmp'), 0o777)).toBe(-EPERM);
    expect(call(k, t, NR.fchmodat, AT_FDCWD, p('/dev/null'), 0o777)).toBe(-EPERM);
    expect(call(k, t, NR.fchmodat, AT_FDCWD, p('/proc/meminfo'), 0o777)).toBe(-EPERM);
    expect(call(k, t, NR.fchmodat, AT_FDCWD, p('/tmp/none'), 0o777)).toBe(-ENOENT);
    expect(call(k, t, NR.fchmodat, AT_FDCWD, p(''), 0o777)).toBe(-ENOENT);
    expect(call(k, t, NR.fchmodat, AT_FDCWD, 1, 0o777)).toBe(-EFAULT);
    expect(call(k, t, NR.fchmodat2, AT_FDCWD, p('/proc/self'), 0o777, AT_SYMLINK_NOFOLLOW)).toBe(-EOPNOTSUPP);
    expect(call(k, t, NR.fchmodat2, AT_FDCWD, p('/tmp'), 0o777, 4)).toBe(-EINVAL);
    expect(call(k, t, NR.fchmod, 77, 0o777)).toBe(-EBADF);
    expect(modeOf(k, '/tmp')).toBe(0o41777);
    expect(modeOf(k, '/dev/null') & 0o7777).toBe(0o666);
  });

  it("a pipe is its maker's: fchmod succeeds", () => {
    const { k, t, scratch } = spawned();
    expect(call(k, t, NR.pipe2, scratch, 0)).toBe(0);
    const rfd = new DataView((k.mm.copyFromUser(t.mm!, scratch, 4) as Uint8Array).buffer).getInt32(0, true);
    expect(call(k, t, NR.fchmod, rfd, 0o640)).toBe(0);
  });
});
