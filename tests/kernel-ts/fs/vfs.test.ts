import { describe, expect, it } from 'vitest';
import { fakeKernel, fakeTask } from './fake-kernel';
import type { File } from '../../../kernel-ts/fs/file';
import type { Inode } from '../../../kernel-ts/fs/inode';
import { O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, SEEK_END, SEEK_SET } from '../../../kernel-ts/fs/file';
import { EACCES, EBADF, EEXIST, EINVAL, EISDIR, ELOOP, ENODEV, ENOENT, ENOTDIR, EROFS, EBUSY } from '../../../kernel-ts/errno';
import { mkdev } from '../../../kernel-ts/fs/stat';
import { VmAreaStruct, VmaSet } from '../../../kernel-ts/mm/vma';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
/** The file's bytes at [pos, pos + len), as a read sees them. */
const bytesOf = (inode: Inode, pos: number, len: number): Uint8Array => {
  const b = new Uint8Array(len);
  return b.subarray(0, inode.read(pos, b));
};
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function readAll(f: File, max = 1 << 16): string | number {
  const buf = new Uint8Array(max);
  const ppos = { pos: f.pos };
  const n = f.fop.read!(f, buf, ppos);
  if (n < 0) return n;
  f.pos = ppos.pos;
  return dec(buf.subarray(0, n));
}

function write(f: File, s: string): number {
  const ppos = { pos: f.pos };
  const n = f.fop.write!(f, enc(s), ppos);
  if (n >= 0) f.pos = ppos.pos;
  return n;
}

const open = (vfs: ReturnType<typeof fakeKernel>['vfs'], path: string, flags: number): File => {
  const f = vfs.open(path, flags);
  if (typeof f === 'number') throw new Error(`open ${path}: ${f}`);
  return f;
};

describe('the read-only root', () => {
  const { vfs } = fakeKernel();
  vfs.addExecutable('/bin/prog', enc('ELF bytes'));
  vfs.addFile('/etc/motd', enc('welcome\n'));

  it('reads files added from bytes, at the position, with lseek', () => {
    const f = open(vfs, '/etc/motd', O_RDONLY);
    expect(readAll(f, 3)).toBe('wel');
    expect(readAll(f)).toBe('come\n');
    expect(readAll(f)).toBe('');
    expect(f.fop.llseek!(f, -1, SEEK_END)).toBe(7);
    expect(readAll(f)).toBe('\n');
    expect(f.fop.llseek!(f, -1, SEEK_SET)).toBe(-EINVAL);
  });

  it('refuses writes, creates and truncation with EROFS', () => {
    expect(vfs.open('/etc/motd', O_WRONLY)).toBe(-EROFS);
    expect(vfs.open('/etc/motd', O_RDONLY | O_TRUNC)).toBe(-EROFS);
    expect(vfs.open('/etc/new', O_WRONLY | O_CREAT)).toBe(-EROFS);
    expect(vfs.open('/etc/motd', O_RDWR | O_CREAT | O_EXCL)).toBe(-EEXIST);
  });

  it('answers directories and missing files as Linux', () => {
    expect(vfs.open('/bin', O_WRONLY)).toBe(-EISDIR);
    expect(vfs.open('/', O_RDONLY | O_CREAT)).toBe(-EISDIR);
    const d = open(vfs, '/bin', O_RDONLY | O_DIRECTORY);
    expect(readAll(d)).toBe(-EISDIR);
    expect(vfs.open('/etc/motd', O_RDONLY | O_DIRECTORY)).toBe(-ENOTDIR);
    expect(vfs.open('/etc/nope', O_RDONLY)).toBe(-ENOENT);
    expect(vfs.open('/proc/self', O_RDONLY)).toBe(-ENOENT); // no current task: dangling
    expect(vfs.open('/proc/self', O_RDONLY | O_NOFOLLOW)).toBe(-ELOOP);
  });

  it('opens executables for execve only when regular and executable', () => {
    const e = vfs.openExec('/bin/prog');
    expect(typeof e === 'number' ? e : dec(bytesOf(e.inode, 0, e.inode.size))).toBe('ELF bytes');
    expect(vfs.openExec('/etc/motd')).toBe(-EACCES);
    expect(vfs.openExec('/bin')).toBe(-EACCES);
    expect(vfs.openExec('/bin/none')).toBe(-ENOENT);
  });

  it('replaces a file with a new inode (the page cache never sees stale pages)', () => {
    const a = vfs.addExecutable('/bin/again', enc('1'));
    const b = vfs.addExecutable('/bin/again', enc('2'));
    expect(b.ino).not.toBe(a.ino);
    expect(b.size).toBe(1);
  });
});

describe('/tmp', () => {
  const { vfs } = fakeKernel();

  it('creates, writes, appends, reads back and truncates files', () => {
    const f = open(vfs, '/tmp/a.txt', O_RDWR | O_CREAT);
    expect(f.inode.mode).toBe(0o100644);
    expect(write(f, 'hello ')).toBe(6);
    expect(write(f, 'world')).toBe(5);
    f.pos = 0;
    expect(readAll(f)).toBe('hello world');
    const g = open(vfs, '/tmp/a.txt', O_WRONLY | O_APPEND);
    expect(write(g, '!')).toBe(1);
    expect(f.inode.size).toBe(12);
    expect(vfs.open('/tmp/a.txt', O_RDWR | O_CREAT | O_EXCL)).toBe(-EEXIST);
    const h = open(vfs, '/tmp/a.txt', O_RDWR | O_TRUNC);
    expect(h.inode.size).toBe(0);
    h.pos = 4;
    write(h, 'x');
    h.pos = 0;
    expect(Array.from(enc(readAll(h) as string))).toEqual([0, 0, 0, 0, 120]);
  });

  it('reads and writes through the page cache where it holds a page (MAP_SHARED coherence)', () => {
    const { k, vfs } = fakeKernel();
    const f = open(vfs, '/tmp/shared', O_RDWR | O_CREAT);
    write(f, 'a'.repeat(5000));
    const page1 = new Uint8Array(4096).fill(0x62); // a mapping stored 'b's into page 1
    k.cached.set(`${f.inode.ino}:1`, page1);
    f.pos = 4094;
    expect(readAll(f)).toBe('aabbbb'.slice(0, 2) + 'b'.repeat(5000 - 4096));
    f.pos = 4100;
    write(f, 'XY');
    expect(dec(page1.subarray(4, 6))).toBe('XY');
    expect(dec(bytesOf(f.inode, 4100, 2))).toBe('XY');
  });

  it('takes back dirty shared pages (writePage), clipped at EOF, never on rootfs', () => {
    const { vfs } = fakeKernel();
    const f = open(vfs, '/tmp/wb', O_RDWR | O_CREAT);
    write(f, 'x'.repeat(4100));
    f.inode.writePage(1, new Uint8Array(4096).fill(0x79));
    expect(f.inode.size).toBe(4100);
    expect(dec(bytesOf(f.inode, 4094, 6))).toBe('xxyyyy');
    const ro = vfs.addFile('/ro', enc('abc'));
    ro.writePage(0, new Uint8Array(4096));
    expect(dec(bytesOf(ro, 0, 3))).toBe('abc');
  });

  it('needs the parent directory to exist', () => {
    expect(vfs.open('/tmp/no/such', O_WRONLY | O_CREAT)).toBe(-ENOENT);
    expect(vfs.open('/proc/newfile', O_WRONLY | O_CREAT)).toBe(-EACCES);
  });
});

describe('devices', () => {
  it('has /dev/null, /dev/zero and a console writing to the host sinks', () => {
    const { k, vfs } = fakeKernel();
    const nul = open(vfs, '/dev/null', O_RDWR);
    expect(readAll(nul)).toBe('');
    expect(write(nul, 'gone')).toBe(4);
    const zero = open(vfs, '/dev/zero', O_RDONLY);
    expect(readAll(zero, 4)).toBe('\0\0\0\0');
    expect(zero.inode.rdev).toBe(mkdev(1, 5));
    const files = vfs.initialFiles();
    expect(files.openFds()).toEqual([0, 1, 2]);
    write(files.get(1)!, 'out');
    write(files.get(2)!, 'err');
    expect(dec(new Uint8Array(k.stdout))).toBe('out');
    expect(dec(new Uint8Array(k.stderr))).toBe('err');
    expect(files.get(0)).toBe(files.get(1));
    expect(files.get(1)!.fop.llseek).toBeUndefined();
  });

  it('reads the console from stdin until the source ends', () => {
    const { k, vfs } = fakeKernel();
    k.stdinChunks.push(enc('line one\n'), enc('two'));
    const c = vfs.initialFiles().get(0)!;
    expect(readAll(c, 4)).toBe('line');
    expect(readAll(c)).toBe(' one\n');
    expect(readAll(c)).toBe('two');
    expect(readAll(c)).toBe('');
  });

  it('registers drivers under /dev with dynamic majors from 254 down', () => {
    const { vfs } = fakeKernel();
    const fops = { read: (): number => 0 };
    expect(vfs.registerChrdev('mmapper', fops)).toBe(254);
    expect(vfs.registerChrdev('physicalview', fops)).toBe(253);
    expect(vfs.registerChrdev('mmapper', fops)).toBe(-EBUSY);
    const inode = vfs.lookup('/dev/physicalview');
    expect(typeof inode !== 'number' && inode.rdev).toBe(mkdev(253, 0));
    expect(vfs.unregisterChrdev('mmapper')).toBe(0);
    expect(vfs.lookup('/dev/mmapper')).toBe(-ENOENT);
  });

  it('tells mmap what a descriptor maps', () => {
    const { k, vfs } = fakeKernel();
    const t = fakeTask(k, 1, 'init');
    vfs.addFile('/data', enc('x'));
    const files = t.files as unknown as import('../../../kernel-ts/fs/fdtable').FilesStruct;
    const mmapHook = { mmap: (): number => 0 };
    vfs.registerChrdev('mapper', mmapHook);
    const fds = ['/data', '/dev/zero', '/dev/null', '/dev/mapper', '/bin', '/proc/meminfo'].map((p) =>
      files.installFd(open(vfs, p, O_RDONLY), false),
    );
    const r = fds.map((fd) => vfs.fileForMmap(t, fd));
    expect(r[0]).toMatchObject({ anonymous: false, readable: true, writable: false });
    expect(typeof r[0] !== 'number' && r[0]!.file.path).toBe('/data');
    expect(r[1]).toMatchObject({ anonymous: true });
    expect(r[2]).toBe(-ENODEV);
    expect(typeof r[3] !== 'number' && typeof r[3]!.mmap).toBe('function');
    expect(r[4]).toBe(-ENODEV);
    expect(r[5]).toBe(-ENODEV);
    expect(vfs.fileForMmap(t, 99)).toBe(-EBADF);
  });
});

describe('/proc and /sys', () => {
  it('drop_caches is write-only even for root, accepts 1..4 and logs like Linux', () => {
    const { k, vfs } = fakeKernel();
    fakeTask(k, 7, 'dropper');
    expect(vfs.open('/proc/sys/vm/drop_caches', O_RDONLY)).toBe(-EACCES);
    expect(vfs.open('/proc/sys/vm/drop_caches', O_RDWR)).toBe(-EACCES);
    const f = open(vfs, '/proc/sys/vm/drop_caches', O_WRONLY);
    expect(write(f, '3\n')).toBe(2);
    f.pos = 0;
    expect(write(f, '0')).toBe(-EINVAL);
    expect(write(f, 'abc')).toBe(-EINVAL);
    expect(write(f, '5')).toBe(-EINVAL);
    expect(write(f, ' 1')).toBe(2);
    f.pos = 0;
    expect(write(f, '4')).toBe(1);
    f.pos = 0;
    expect(write(f, '3')).toBe(1);
    expect(k.dropped).toEqual([3, 1, 0, 3]);
    expect(k.printk.all().map((r) => r.text)).toEqual(['dropper (7): drop_caches: 3', 'dropper (7): drop_caches: 1']);
  });

  it('mmap_min_addr reads back the value as written and takes one unsigned number as proc_doulongvec_minmax does', () => {
    const { k, vfs } = fakeKernel();
    const read = (): string | number => readAll(open(vfs, '/proc/sys/vm/mmap_min_addr', O_RDONLY));
    expect(read()).toBe('65536\n');
    const f = open(vfs, '/proc/sys/vm/mmap_min_addr', O_RDWR);
    expect(write(f, '4096\n')).toBe(5);
    expect(k.mm.mmapMinAddr).toBe(4096);
    expect(read()).toBe('4096\n');
    // sysctl_writes_strict: a write past offset 0 is swallowed.
    expect(write(f, '8192')).toBe(4);
    expect(k.mm.mmapMinAddr).toBe(4096);
    const set = (text: string): number | string => {
      f.pos = 0;
      const r = write(f, text);
      return r < 0 ? r : read();
    };
    // Not page-rounded; base 0 as strtoul: hex and octal too; blanks around; what follows a blank is ignored.
    expect(set('4097')).toBe('4097\n');
    expect(set('0x10000')).toBe('65536\n');
    expect(set('010')).toBe('8\n');
    expect(set(' \t 0 ')).toBe('0\n');
    expect(set('12 34')).toBe('12\n');
    for (const bad of ['', '\n', '-1', '+5', 'abc', '4096k', '08', '0x', '9007199254740992']) expect(set(bad), bad).toBe(-EINVAL);
    expect(read()).toBe('12\n');
  });

  it('serves meminfo, buddyinfo and driver entries', () => {
    const { vfs } = fakeKernel();
    expect(readAll(open(vfs, '/proc/meminfo', O_RDONLY))).toBe('MemTotal:        1048576 kB\n');
    expect(readAll(open(vfs, '/proc/buddyinfo', O_RDONLY))).toBe('Node 0, zone   Normal      1 \n');
    let n = 0;
    expect(typeof vfs.procCreateSingle('mtest', () => `calls ${++n}\n`)).toBe('object');
    const f = open(vfs, '/proc/mtest', O_RDONLY);
    expect(readAll(f, 3)).toBe('cal');
    expect(readAll(f)).toBe('ls 1\n');
    f.pos = 0;
    expect(readAll(f)).toBe('calls 2\n');
    expect(vfs.procCreate('mtest', {})).toBe(-EEXIST);
    expect(vfs.procRemove('/proc/mtest')).toBe(0);
    expect(vfs.lookup('/proc/mtest')).toBe(-ENOENT);
  });

  it('publishes sysfs attributes with show and store', () => {
    const { vfs } = fakeKernel();
    let value = 5;
    vfs.sysfsCreate('kernel/mm/lab/value', { show: () => `${value}\n`, store: (s) => ((value = Number(s)), s.length) });
    const f = open(vfs, '/sys/kernel/mm/lab/value', O_RDWR);
    expect(readAll(f)).toBe('5\n');
    f.pos = 0;
    expect(write(f, '9')).toBe(1);
    f.pos = 0;
    expect(readAll(f)).toBe('9\n');
    expect(open(vfs, '/sys/kernel/mm/lab/value', O_RDONLY).inode.mode).toBe(0o100644);
  });

  it('shows /proc/PID/maps of the task', () => {
    const { k, vfs } = fakeKernel();
    const vmas = new VmaSet();
    const file = vfs.addExecutable('/bin/prog', enc('x'));
    vmas.insertVma(new VmAreaStruct({ vmStart: 0x10000, vmEnd: 0x11000, vmFlags: 0x75, vmFile: file }));
    vmas.insertVma(new VmAreaStruct({ vmStart: 0x12000, vmEnd: 0x14000, vmFlags: 0x73, name: '[heap]' }));
    fakeTask(k, 9, 'prog', vmas);
    expect(readAll(open(vfs, '/proc/self/maps', O_RDONLY))).toBe(
      `00010000-00011000 r-xp 00000000 00:02 ${file.ino}`.padEnd(72) + ' /bin/prog\n' +
      '00012000-00014000 rw-p 00000000 00:00 0'.padEnd(72) + ' [heap]\n',
    );
  });

  it('reads /proc/PID/pagemap in 8-byte entries at offset vpn * 8', () => {
    const { k, vfs } = fakeKernel();
    fakeTask(k, 3, 'pm');
    k.pagemap.set(0x12000, (1n << 63n) | 0x1234n);
    const f = open(vfs, '/proc/3/pagemap', O_RDONLY);
    const buf = new Uint8Array(16);
    const ppos = { pos: (0x12000 / 4096) * 8 - 8 };
    expect(f.fop.read!(f, buf, ppos)).toBe(16);
    const v = new DataView(buf.buffer);
    expect([v.getBigUint64(0, true), v.getBigUint64(8, true)]).toEqual([0n, (1n << 63n) | 0x1234n]);
    expect(f.fop.read!(f, new Uint8Array(7), { pos: 0 })).toBe(-EINVAL);
    expect(f.fop.read!(f, new Uint8Array(8), { pos: 4 })).toBe(-EINVAL);
    expect(f.fop.read!(f, new Uint8Array(16), { pos: (2 ** 47 / 4096) * 8 - 8 })).toBe(8);
  });

  it('writes /proc/PID/status in Linux order with tabs', () => {
    const { k, vfs } = fakeKernel();
    const t = fakeTask(k, 12, 'stat');
    const text = readAll(open(vfs, '/proc/12/status', O_RDONLY)) as string;
    const lines = text.split('\n');
    expect(lines.slice(0, 8)).toEqual(['Name:\tstat', 'Umask:\t0022', 'State:\tR (running)', 'Tgid:\t12', 'Ngid:\t0', 'Pid:\t12', 'PPid:\t0', 'TracerPid:\t0']);
    expect(lines).toContain('VmPeak:\t     100 kB');
    expect(lines.indexOf('Kthread:\t0') + 1).toBe(lines.indexOf('VmPeak:\t     100 kB'));
    expect(lines).toContain('SigBlk:\t0000000000000000');
    expect(text.endsWith('nonvoluntary_ctxt_switches:\t0\n')).toBe(true);
    t.blocked = 1n << 9n;
    t.sighand.action[2]!.handler = 1; // SIGINT ignored
    t.sighand.action[15]!.handler = 0x10000; // SIGTERM caught
    expect(readAll(open(vfs, '/proc/12/status', O_RDONLY))).toBe(
      [
        'Name:\tstat', 'Umask:\t0022', 'State:\tR (running)', 'Tgid:\t12', 'Ngid:\t0', 'Pid:\t12', 'PPid:\t0',
        'TracerPid:\t0', 'Uid:\t1000\t1000\t1000\t1000', 'Gid:\t1000\t1000\t1000\t1000', 'FDSize:\t64', 'Groups:\t ', 'NStgid:\t12',
        'NSpid:\t12', 'NSpgid:\t12', 'NSsid:\t12', 'Kthread:\t0', 'VmPeak:\t     100 kB', 'VmSize:\t     100 kB',
        'CoreDumping:\t0', 'THP_enabled:\t1', 'Threads:\t1', 'SigQ:\t0/3931', 'SigPnd:\t0000000000000000',
        'ShdPnd:\t0000000000000000', 'SigBlk:\t0000000000000200', 'SigIgn:\t0000000000000002',
        'SigCgt:\t0000000000004000', 'CapInh:\t0000000000000000', 'CapPrm:\t0000000000000000',
        'CapEff:\t0000000000000000', 'CapBnd:\t000001ffffffffff', 'CapAmb:\t0000000000000000', 'NoNewPrivs:\t0',
        'Seccomp:\t0', 'Seccomp_filters:\t0', 'Speculation_Store_Bypass:\tnot vulnerable',
        'SpeculationIndirectBranch:\tunknown', 'Cpus_allowed:\t1', 'Cpus_allowed_list:\t0', 'Mems_allowed:\t1',
        'Mems_allowed_list:\t0', 'voluntary_ctxt_switches:\t0', 'nonvoluntary_ctxt_switches:\t0', '',
      ].join('\n'),
    );
    t.mm = null;
    expect(readAll(open(vfs, '/proc/12/status', O_RDONLY))).not.toContain('VmPeak');
  });
});
