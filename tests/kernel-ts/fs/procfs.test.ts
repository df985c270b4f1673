// /proc entries of the resource limits (kernel-ts/fs/procfs.ts):
// /proc/PID/limits in proc_pid_limits()'s format (fs/proc/base.c) and the
// vm.max_map_count sysctl (proc_dointvec_minmax, minimum 0).
import { describe, expect, it } from 'vitest';
import type { File } from '../../../kernel-ts/fs/file';
import { MAX_LFS_FILESIZE, O_RDONLY, O_RDWR, SEEK_CUR, SEEK_END, SEEK_SET } from '../../../kernel-ts/fs/file';
import { RLIMIT_AS, RLIMIT_NOFILE, RLIMIT_STACK, RLIM_INFINITY } from '../../../kernel-ts/resource';
import { fakeKernel, fakeTask } from './fake-kernel';
import { EINVAL } from '../../../kernel-ts/errno';


function open(vfs: ReturnType<typeof fakeKernel>['vfs'], path: string, flags: number): File {
  const f = vfs.open(path, flags);
  if (typeof f === 'number') throw new Error(`open ${path}: ${f}`);
  return f;
}

function read(f: File): string {
  const buf = new Uint8Array(1 << 14);
  const n = f.fop.read!(f, buf, { pos: 0 });
  if (n < 0) throw new Error(`read: ${n}`);
  return new TextDecoder().decode(buf.subarray(0, n));
}

function write(f: File, s: string): number {
  return f.fop.write!(f, new TextEncoder().encode(s), { pos: 0 });
}

describe('/proc/PID/limits', () => {
  it('lists every limit as Linux does: %-25s %-20s %-20s %-10s, "unlimited" for RLIM_INFINITY', () => {
    const { k, vfs } = fakeKernel();
    const t = fakeTask(k, 5, 'lim');
    t.rlim.set(RLIMIT_NOFILE, { cur: 16n, max: 4096n });
    t.rlim.set(RLIMIT_AS, { cur: 1n << 40n, max: RLIM_INFINITY });
    t.rlim.set(RLIMIT_STACK, { cur: 0x7fff_ffff_ffff_ffffn, max: RLIM_INFINITY });
    expect(read(open(vfs, '/proc/5/limits', O_RDONLY))).toBe(
      [
        'Limit                     Soft Limit           Hard Limit           Units     ',
        'Max cpu time              unlimited            unlimited            seconds   ',
        'Max file size             unlimited            unlimited            bytes     ',
        'Max data size             unlimited            unlimited            bytes     ',
        'Max stack size            9223372036854775807  unlimited            bytes     ',
        'Max core file size        0                    unlimited            bytes     ',
        'Max resident set          unlimited            unlimited            bytes     ',
        'Max processes             3931                 3931                 processes ',
        'Max open files            16                   4096                 files     ',
        'Max locked memory         8388608              8388608              bytes     ',
        'Max address space         1099511627776        unlimited            bytes     ',
        'Max file locks            unlimited            unlimited            locks     ',
        'Max pending signals       3931                 3931                 signals   ',
        'Max msgqueue size         819200               819200               bytes     ',
        'Max nice priority         0                    0                    ',
        'Max realtime priority     0                    0                    ',
        'Max realtime timeout      unlimited            unlimited            us        ',
        '',
      ].join('\n'),
    );
  });
});

describe('/proc/sys/vm/max_map_count', () => {
  it('reads 65530, takes one number from 0 to INT_MAX (decimal, 0x hex or 0 octal), refuses anything else', () => {
    const { k, vfs } = fakeKernel();
    const f = open(vfs, '/proc/sys/vm/max_map_count', O_RDWR);
    expect(read(f)).toBe('65530\n');
    expect(write(f, '100\n')).toBe(4);
    expect(k.mm.maxMapCount).toBe(100);
    expect(read(open(vfs, '/proc/sys/vm/max_map_count', O_RDONLY))).toBe('100\n');
    expect(write(f, '0x20')).toBe(4);
    expect(k.mm.maxMapCount).toBe(32);
    expect(write(f, '0')).toBe(1);
    expect(k.mm.maxMapCount).toBe(0);
    for (const bad of ['-1', 'abc', '', '2147483648'])
      expect(write(f, bad)).toBe(-EINVAL);
    expect(write(f, '2147483647')).toBe(10);
    expect(k.mm.maxMapCount).toBe(2147483647);
  });
});

describe('lseek on seq files and /proc/PID/pagemap (seq_lseek, mem_lseek)', () => {
  // Minimal case of the syscalls fuzzer's lseek-offset-precision finding:
  // lseek(fd, 0x3673e6bdd8cbca01, SEEK_SET) returned 0x3673e6bdd8cbca00.
  it('take SEEK_SET/SEEK_CUR positions exactly up to MAX_LFS_FILESIZE, -EINVAL past it rather than a rounded position', () => {
    const { k, vfs } = fakeKernel();
    fakeTask(k, 5, 'seek');
    for (const path of ['/proc/5/limits', '/proc/5/pagemap']) {
      const f = open(vfs, path, O_RDONLY);
      expect(f.fop.llseek!(f, MAX_LFS_FILESIZE, SEEK_SET)).toBe(MAX_LFS_FILESIZE);
      expect(f.fop.llseek!(f, 0, SEEK_CUR)).toBe(MAX_LFS_FILESIZE);
      expect(f.fop.llseek!(f, 1, SEEK_CUR)).toBe(-EINVAL);
      expect(f.fop.llseek!(f, 0x3673e6bdd8cbca01, SEEK_SET)).toBe(-EINVAL);
      expect(f.pos).toBe(MAX_LFS_FILESIZE);
      expect(f.fop.llseek!(f, -MAX_LFS_FILESIZE, SEEK_CUR)).toBe(0);
      expect(f.fop.llseek!(f, -1, SEEK_CUR)).toBe(-EINVAL);
      expect(f.fop.llseek!(f, 8, SEEK_END)).toBe(-EINVAL);
    }
  });
});
