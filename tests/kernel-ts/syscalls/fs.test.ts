// The file system calls on tmpfs's limits, through the system-call layer of
// a booted kernel (issue 12, finding 3): twelve files in a 64 MiB guest used
// to take 3.2 GB of host memory; ftruncate to 4 GiB took 4.2 GB and to 2^40
// oopsed (RangeError: Invalid typed array length).
import { describe, expect, it } from 'vitest';
import { NR } from '../../../kernel-ts/syscalls/numbers';
import { call, get, put, spawned } from '../proc/helpers';
import type { Kernel } from '../../../kernel-ts/kernel';
import type { Task } from '../../../kernel-ts/proc/task';
import { EBADF, EFBIG, EINVAL, ENOSPC } from '../../../kernel-ts/errno';

const MiB = 1 << 20;
const AT_FDCWD = -100;
const O_RDWR_CREAT = 0o102;

/** A NUL-terminated string into user memory at addr. */
function putString(k: Kernel, t: Task, addr: number, s: string): void {
  const b = new TextEncoder().encode(`${s}\0`);
  if (k.mm.copyToUser(t.mm!, addr, b) !== 0) throw new Error('putString');
}

/** A 1 MiB anonymous buffer in t's memory, written through (so its pages exist). */
function buffer(k: Kernel, t: Task): number {
  const buf = call(k, t, NR.mmap, 0, MiB, 3, 0x22, -1, 0);
  expect(buf).toBeGreaterThan(0);
  expect(k.mm.copyToUser(t.mm!, buf, new Uint8Array(MiB).fill(0x5a))).toBe(0);
  return buf;
}

function openTmp(k: Kernel, t: Task, scratch: number, name: string): number {
  putString(k, t, scratch, `/tmp/${name}`);
  return call(k, t, NR.openat, AT_FDCWD, scratch, O_RDWR_CREAT, 0o644);
}

describe('tmpfs through the system calls', () => {
  it('twelve files in a 64 MiB guest hold at most size= (32 MiB) between them; then write is -ENOSPC', () => {
    const { k, t, scratch } = spawned();
    const buf = buffer(k, t);
    let total = 0;
    for (let i = 0; i < 12; i++) {
      const fd = openTmp(k, t, scratch, `f${i}`);
      expect(fd).toBeGreaterThanOrEqual(3);
      for (let j = 0; j < 8; j++) {
        const n = call(k, t, NR.write, fd, buf, MiB);
        if (n === -ENOSPC) break;
        expect(n).toBeGreaterThan(0);
        total += n;
      }
    }
    expect(total).toBe(32 * MiB);
    expect(k.vfs.tmp.sb.shmem!.usedBlocks).toBe(8192);
    // statfs agrees: no block free.
    putString(k, t, scratch, '/tmp');
    expect(call(k, t, NR.statfs, scratch, scratch + 256)).toBe(0);
    const [type, bsize, blocks, bfree, bavail, files, ffree] = get(k, t, scratch + 256, 7);
    expect([type, bsize, blocks, bfree, bavail, files, ffree]).toEqual([0x01021994n, 4096n, 8192n, 0n, 0n, 8192n, 8192n - 13n]);
  });

  it('ftruncate to 4 GiB and to 2^40 allocates nothing; fstat shows the size and no blocks', () => {
    const { k, t, scratch } = spawned();
    const fd = openTmp(k, t, scratch, 'sparse');
    expect(call(k, t, NR.ftruncate, fd, 4 * 1024 * MiB)).toBe(0);
    expect(call(k, t, NR.ftruncate, fd, 2 ** 40)).toBe(0);
    expect(call(k, t, NR.fstat, fd, scratch + 256)).toBe(0);
    const st = get(k, t, scratch + 256, 8);
    expect(st[6]).toBe(2n ** 40n); // st_size
    expect(get(k, t, scratch + 256 + 64, 1)[0]).toBe(0n); // st_blocks
    expect(k.vfs.tmp.sb.shmem!.usedBlocks).toBe(0);
    // pread in the middle of the hole: zeros, nothing allocated.
    put(k, t, scratch + 512, [-1n]);
    expect(call(k, t, NR.pread64, fd, scratch + 512, 8, 2 ** 39)).toBe(8);
    expect(get(k, t, scratch + 512, 1)).toEqual([0n]);
    expect(k.vfs.tmp.sb.shmem!.usedBlocks).toBe(0);
  });

  it('ftruncate: -EINVAL for a negative length before the descriptor; -EINVAL for a directory or a read-only open; -EFBIG past s_maxbytes', () => {
    const { k, t, scratch } = spawned();
    expect(call(k, t, NR.ftruncate, 99, -1)).toBe(-EINVAL);
    expect(call(k, t, NR.ftruncate, 99, 0)).toBe(-EBADF);
    putString(k, t, scratch, '/tmp');
    const dir = call(k, t, NR.openat, AT_FDCWD, scratch, 0, 0);
    expect(call(k, t, NR.ftruncate, dir, 0)).toBe(-EINVAL);
    const fd = openTmp(k, t, scratch, 'f');
    putString(k, t, scratch, '/tmp/f');
    const ro = call(k, t, NR.openat, AT_FDCWD, scratch, 0, 0);
    expect(call(k, t, NR.ftruncate, ro, 10)).toBe(-EINVAL);
    expect(call(k, t, NR.ftruncate, fd, 2 ** 53)).toBe(-EFBIG);
    expect(call(k, t, NR.ftruncate, fd, 2 ** 62)).toBe(-EFBIG);
  });

  it('statfs and fstatfs of the other file systems, /proc/mounts with the size the kernel was booted with', () => {
    const { k, t, scratch } = spawned();
    putString(k, t, scratch, '/bin/p');
    expect(call(k, t, NR.statfs, scratch, scratch + 256)).toBe(0);
    expect(get(k, t, scratch + 256, 11)).toEqual([0x858458f6n, 4096n, 0n, 0n, 0n, 0n, 0n, 0n, 255n, 4096n, 0x21n]);
    expect(call(k, t, NR.fstatfs, 1, scratch + 256)).toBe(0); // the console, on devtmpfs
    expect(get(k, t, scratch + 256, 1)).toEqual([0x01021994n]);
    expect(call(k, t, NR.fstatfs, 77, scratch + 256)).toBe(-EBADF);
    putString(k, t, scratch, '/nope');
    expect(call(k, t, NR.statfs, scratch, scratch + 256)).toBe(-2);
    expect(call(k, t, NR.fstatfs, 1, 0x1000)).toBe(-14);
    const mounts = k.vfs.open('/proc/mounts', 0);
    if (typeof mounts === 'number') throw new Error(String(mounts));
    const text = new Uint8Array(4096);
    const n = mounts.fop.read!(mounts, text, { pos: 0 });
    expect(new TextDecoder().decode(text.subarray(0, n))).toContain('tmpfs /tmp tmpfs rw,nosuid,nodev,size=32768k,nr_inodes=8192 0 0\n');
  });
});
