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

describe('system: file mappings', () => {
  it('keeps MAP_SHARED mappings of /tmp files coherent with read, write, drop_caches and truncate', () => {
    const r = runGuest(guestTest('mapshared'));
    expect(r.stdout).toBe(
      [
        'ok mmap MAP_SHARED of a /tmp file',
        'ok the mapping shows the file',
        'ok pread sees a store through the mapping',
        'ok the mapping sees a pwrite',
        'ok a MAP_PRIVATE mapping shows the file',
        'ok its store stays private',
        'ok the file keeps the store after munmap',
        'ok the file keeps the store after drop_caches',
        'ok a new mapping shows it',
        'ok a child touching a page past a truncate gets SIGBUS',
        'ok the last page keeps the bytes before the end',
        'ok and reads zeros after it',
        'ok the file grown again reads zeros, not the old bytes',
        'ok and so does the mapping',
        '',
      ].join('\n'),
    );
    expect(r.exitCode).toBe(0);
  });
});

describe('system: descriptors', () => {
  it('closes O_CLOEXEC descriptors at execve and keeps the others', () => {
    const r = runGuest(guestTest('exec'), { others: [guestTest('fdcheck')] });
    expect(r.stdout).toBe(
      'ok open O_CLOEXEC gets fd 3\nok open gets fd 4\nok execve closed the O_CLOEXEC descriptor\nok execve kept the other descriptor\n',
    );
    expect(r.exitCode).toBe(0);
  });

  it('stops at RLIMIT_NOFILE with EMFILE', () => {
    const r = runGuest(guestTest('emfile'));
    expect(r.stdout).toBe(
      'ok the open after the limit is EMFILE\nok 1021 opens succeed (fds 3..1023)\nok the lowest free descriptor is reused\n',
    );
    expect(r.exitCode).toBe(0);
  });
});

describe('system: directories', () => {
  it('lists directories with getdents64, /proc with its pids', () => {
    expect(runGuest(guestTest('ls')).stdout).toBe('.\n..\nbin\ndev\nproc\nsys\ntmp\n');
    expect(runGuest(guestTest('ls'), { args: ['/proc'] }).stdout).toBe('.\n..\nself\nmeminfo\nbuddyinfo\nvmstat\nsys\nmounts\nmodules\n1\n');
    expect(runGuest(guestTest('ls'), { args: ['/proc/self'] }).stdout).toBe('.\n..\nmaps\nstatus\nsmaps_rollup\ncomm\npagemap\nlimits\n');
    expect(runGuest(guestTest('ls'), { args: ['/dev'] }).stdout).toBe('.\n..\nnull\nzero\nconsole\n');
    const notDir = runGuest(guestTest('ls'), { args: ['/bin/ls'] });
    expect(notDir.exitCode).toBe(256 - 20); // exit_group(-ENOTDIR)
  });
});

describe('system: vectored I/O', () => {
  it('writev and readv move every segment in order, and check their counts', () => {
    const r = runGuest(guestTest('vec'));
    expect(r.stdout.split('\n')[0]).toBe('one two 3!');
    expect(r.stdout).not.toContain('FAIL');
    expect(r.exitCode).toBe(0);
  });
});
