// read/write/readv/writev (kernel-ts/syscalls/fs.ts) with huge counts: the
// work is bounded by MAX_RW_COUNT and by what the file does with the data,
// counted here as the user memory the kernel copies (never as time).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_RW_COUNT } from '../../../kernel-ts/fs/file';
import { NR } from '../../../kernel-ts/syscalls/numbers';
import type { Kernel } from '../../../kernel-ts/kernel';
import type { Task } from '../../../kernel-ts/proc/task';
import { call, spawned } from '../proc/helpers';

const AT_FDCWD = -100;
const O_WRONLY = 1;
const MiB = 1 << 20;
/** Below TASK_SIZE, never mapped. */
const UNMAPPED = 0x10000000;

/** Bytes placed in a fresh anonymous mapping of t; their address. */
function place(k: Kernel, t: Task, bytes: Uint8Array): number {
  const a = call(k, t, NR.mmap, 0, Math.max(bytes.length, 1), 3, 0x22, -1, 0);
  expect(k.mm.copyToUser(t.mm!, a, bytes)).toBe(0);
  return a;
}

function open(k: Kernel, t: Task, path: string, flags: number): number {
  const fd = call(k, t, NR.openat, AT_FDCWD, place(k, t, new TextEncoder().encode(`${path}\0`)), flags, 0);
  expect(fd).toBeGreaterThanOrEqual(0);
  return fd;
}

/** An iovec array of n segments (base, len), placed in t's memory. */
function iovecs(k: Kernel, t: Task, n: number, base: number, len: number): number {
  const b = new Uint8Array(16 * n);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < n; i++) {
    dv.setBigUint64(16 * i, BigInt(base), true);
    dv.setBigUint64(16 * i + 8, BigInt(len), true);
  }
  return place(k, t, b);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('writes that /dev/null discards', () => {
  it('write and writev to /dev/null take MAX_RW_COUNT without copying a byte in (Linux write_null)', () => {
    const { k, t } = spawned();
    const fd = open(k, t, '/dev/null', O_WRONLY);
    const iov = iovecs(k, t, 64, UNMAPPED, 32 * MiB);
    const copied = vi.spyOn(k.mm, 'copyFromUser');
    expect(call(k, t, NR.write, fd, UNMAPPED, 2 ** 40)).toBe(MAX_RW_COUNT);
    expect(call(k, t, NR.writev, fd, iov, 64)).toBe(MAX_RW_COUNT);
    // The only bytes copied in are the iovec array's.
    expect(copied.mock.calls.map((c) => c[2])).toEqual([64 * 16]);
    // Beyond TASK_SIZE is still -EFAULT (access_ok).
    expect(call(k, t, NR.write, fd, 2 ** 47 - 4096, 8192)).toBe(-14);
  });

  it('a file that keeps what is written still has its data copied (the console)', () => {
    const { k, t } = spawned();
    const fd = open(k, t, '/dev/console', O_WRONLY);
    expect(call(k, t, NR.write, fd, UNMAPPED, 16)).toBe(-14);
    expect(call(k, t, NR.write, fd, place(k, t, new TextEncoder().encode('ok\n')), 3)).toBe(3);
  });
});
