// The file system calls from a guest program, and bad pointers (xv6
// usertests style): every one is answered with -errno and the kernel lives on.
import { describe, expect, it } from 'vitest';
import { guestTest, runGuest } from '../support/kernel';

const okLines = (stdout: string): string[] => stdout.split('\n').filter((l) => l !== '');

describe('system: files', () => {
  it('answers bad pointers with EFAULT and bad descriptors with EBADF', () => {
    const r = runGuest(guestTest('badptr'));
    const lines = okLines(r.stdout);
    expect(lines.filter((l) => !l.startsWith('ok '))).toEqual([]);
    expect(lines.length).toBe(22);
    expect(r.exitCode).toBe(0);
    expect(r.dmesg).not.toMatch(/oops|BUG|segfault/i);
  });

  it('creates, writes, seeks, stats and truncates /tmp files; reports Linux errors; reads pagemap', () => {
    const r = runGuest(guestTest('files'));
    expect(okLines(r.stdout).filter((l) => !l.startsWith('ok '))).toEqual([]);
    expect(okLines(r.stdout).length).toBe(20);
    expect(r.exitCode).toBe(0);
    expect(r.dmesg).toMatch(/\] files \(1\): drop_caches: 3\n/);
  });
});
