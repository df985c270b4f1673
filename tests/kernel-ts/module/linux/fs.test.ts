// <linux/fs.h> in vmlab/linux: a module's file_operations reached through the
// system calls (read, write, pread64, lseek, ioctl as a guest makes them):
// the driver gets the user buffer and copies itself; register_chrdev's
// numbers and /dev node; rmmod undoing it; the llseek helpers.
import { describe, expect, it } from 'vitest';
import type { file_operations } from '../../../../kernel-ts/module/linux/include/fs';
import type { LinuxApi } from '../../../../kernel-ts/module/linux/index';
import { NR } from '../../../../kernel-ts/syscalls/numbers';
import { AT_FDCWD } from '../../../../kernel-ts/syscalls/fs';
import { O_RDWR } from '../../../../kernel-ts/fs/file';
import { S_IFCHR, devMajor, devMinor } from '../../../../kernel-ts/fs/stat';
import { EBUSY, EFAULT, EINVAL, ENOENT, ESPIPE } from '../../../../kernel-ts/errno';
import { inProcess } from './helpers';
import { boot, dmesg, getString, loader, putString, sys, userBuf } from './support';
import { catFile } from '../helpers';

const MSG = 'hello world\n';

/** A driver of a 16-byte store: reads give MSG, writes fill `store`, ioctl records its arguments. */
function demo(L: LinuxApi, seen: { cmd?: number; arg?: bigint; stored?: string }): file_operations {
  const store = new Uint8Array(16);
  return {
    read: (_f, buf, count, ppos) => L.simple_read_from_buffer(buf, count, ppos, MSG, MSG.length),
    write: (_f, buf, count, ppos) => {
      const n = L.simple_write_to_buffer(store, store.length, ppos, buf, count);
      seen.stored = new TextDecoder().decode(store.subarray(0, Number(ppos.pos)));
      return n;
    },
    unlocked_ioctl: (_f, cmd, arg) => {
      seen.cmd = cmd;
      seen.arg = arg;
      return 7;
    },
  };
}

describe('register_chrdev and file_operations', () => {
  it('makes /dev/NAME with a dynamic major; the syscalls reach the driver with the user buffer', () => {
    const { k } = boot();
    const seen: { cmd?: number; arg?: bigint; stored?: string } = {};
    let major = -1;
    const ld = loader(k, { fsdemo: { init: (L) => (major = L.register_chrdev(0, 'fsdemo', demo(L, seen))) >= 0 ? 0 : major } });
    expect(ld.insmod('fsdemo')).toBe(0);
    expect(major).toBe(254);
    const node = k.vfs.lookup('/dev/fsdemo');
    if (typeof node === 'number') throw new Error(`lookup ${node}`);
    expect([node.mode, devMajor(node.rdev), devMinor(node.rdev)]).toEqual([S_IFCHR | 0o666, 254, 0]);

    inProcess(k, (t) => {
      const u = userBuf(k, t);
      const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u + 2048, '/dev/fsdemo'), O_RDWR);
      expect(fd).toBe(3);
      expect(sys(k, t, NR.read, fd, u, 5)).toBe(5);
      expect(getString(k, t, u, 5)).toBe('hello');
      expect(sys(k, t, NR.read, fd, u, 100)).toBe(7); // f_pos moved although the driver has no llseek
      expect(getString(k, t, u, 7)).toBe(' world\n');
      expect(sys(k, t, NR.read, fd, u, 100)).toBe(0);
      expect(sys(k, t, NR.lseek, fd, 0, 0)).toBe(-ESPIPE);
      expect(sys(k, t, NR.pread64, fd, u, 5, 6)).toBe(5);
      expect(getString(k, t, u, 5)).toBe('world');
      // A bad user buffer: the driver's copy_to_user fails, -EFAULT.
      expect(sys(k, t, NR.pread64, fd, 0x1000, 5, 0)).toBe(-EFAULT);
      // write: 20 bytes offered, the 16-byte store takes 16.
      const fd2 = sys(k, t, NR.openat, AT_FDCWD, u + 2048, O_RDWR);
      putString(k, t, u, 'abcdefghijklmnopqrst');
      expect(sys(k, t, NR.write, fd2, u, 20)).toBe(16);
      expect(seen.stored).toBe('abcdefghijklmnop');
      expect(sys(k, t, NR.write, fd2, u, 20)).toBe(0);
      // ioctl: the full 64-bit argument, cmd as unsigned int.
      expect(sys(k, t, NR.ioctl, fd, 0xc0106b01, 0xfffffffffffffff0n)).toBe(7);
      expect([seen.cmd, seen.arg]).toEqual([0xc0106b01, 0xfffffffffffffff0n]);
      // In use: rmmod is -EBUSY while the files are open.
      expect(ld.rmmod('fsdemo')).toBe(-EBUSY);
      expect(sys(k, t, NR.close, fd)).toBe(0);
      expect(sys(k, t, NR.close, fd2)).toBe(0);
    });
    // A kernel buffer (the shell's cat) reaches the same read through a bounce buffer.
    expect(catFile(k, '/dev/fsdemo')).toBe(MSG);
    expect(ld.rmmod('fsdemo')).toBe(0);
    expect(k.vfs.lookup('/dev/fsdemo')).toBe(-ENOENT);
  });

  it('unregister_chrdev removes the node; a taken major is -EBUSY; a major past 511 is -EINVAL with the log line Linux prints', () => {
    const { k } = boot();
    const r: number[] = [];
    const ld = loader(k, {
      a: {
        init: (L) => {
          r.push(L.register_chrdev(240, 'fixed', {}));
          r.push(L.register_chrdev(240, 'again', {}));
          r.push(L.register_chrdev(512, 'big', {}));
          return 0;
        },
        exit: (L) => L.unregister_chrdev(240, 'fixed'),
      },
    });
    expect(ld.insmod('a')).toBe(0);
    expect(r).toEqual([0, -EBUSY, -EINVAL]);
    expect(dmesg(k).at(-1)).toBe('CHRDEV "big" major requested (512) is greater than the maximum (511)');
    expect(typeof k.vfs.lookup('/dev/fixed')).not.toBe('number');
    expect(ld.rmmod('a')).toBe(0);
    expect(k.vfs.lookup('/dev/fixed')).toBe(-ENOENT);
  });

  it('a driver method that throws is an oops of the caller, answered -EFAULT; the kernel runs on', () => {
    const { k } = boot();
    const ld = loader(k, { bad: { init: (L) => (L.register_chrdev(0, 'bad', { read: () => { throw new Error('boom'); } }) > 0 ? 0 : -1) } });
    expect(ld.insmod('bad')).toBe(0);
    expect(catFile(k, '/dev/bad')).toBe(-9);
    expect(dmesg(k).some((l) => l.includes('boom'))).toBe(true);
    expect(ld.rmmod('bad')).toBe(0);
  });

  it('an async read or release: an oops of the caller (read) or logged (release), and their rejections handled, never reaching Node', async () => {
    // module fuzzer, seed 2 case 232: an async mmap's rejected Promise went unhandled and ended the Node process.
    const { k } = boot();
    const fops = {
      read: async () => {
        throw new Error('read later');
      },
      release: async () => {
        throw new Error('release later');
      },
    } as unknown as file_operations;
    const ld = loader(k, { asy: { init: (L) => (L.register_chrdev(0, 'asy', fops) > 0 ? 0 : -1) } });
    expect(ld.insmod('asy')).toBe(0);
    expect(catFile(k, '/dev/asy')).toBe(-9);
    await new Promise((r) => setImmediate(r));
    const log = dmesg(k);
    expect(log).toContain('BUG: kernel exception in read [asy]: TypeError: read returned a Promise: module callbacks must be synchronous (not async functions)');
    expect(log).toContain('BUG: kernel exception in release [asy]: TypeError: release returned a Promise: module callbacks must be synchronous (not async functions)');
    expect(log).toContain('asy: a Promise of read rejected: Error: read later');
    expect(log).toContain('asy: a Promise of release rejected: Error: release later');
    expect(ld.rmmod('asy')).toBe(0);
  });

  it('an open or read that returns below -MAX_ERRNO (-4096) is the module\'s bug, an oops of the caller: never handed to the guest', () => {
    // module fuzzer, seed 1 case 37: open returned -4096 and openat answered the guest -4096, neither an fd nor -errno.
    const { k } = boot();
    const ld = loader(k, { odd: { init: (L) => (L.register_chrdev(0, 'odd', { open: () => -4096, read: () => -5000 }) > 0 ? 0 : -1) } });
    expect(ld.insmod('odd')).toBe(0);
    expect(catFile(k, '/dev/odd')).toBe(-9);
    expect(dmesg(k)).toContain('BUG: kernel exception in open [odd]: TypeError: open returned -4096, not a ssize_t (a count, or -errno from -1 to -4095)');
    expect(ld.rmmod('odd')).toBe(0);
  });
});

describe('the llseek helpers', () => {
  it('default_llseek, fixed_size_llseek, noop_llseek, no_llseek and nonseekable_open as Linux', () => {
    const { k } = boot();
    const ld = loader(k, {
      seek: {
        init: (L) => {
          L.register_chrdev(0, 'fixed', { llseek: (f, o, w) => L.fixed_size_llseek(f, o, w, 100n) });
          L.register_chrdev(0, 'dflt', { llseek: L.default_llseek });
          L.register_chrdev(0, 'noop', { llseek: L.noop_llseek });
          L.register_chrdev(0, 'nols', { llseek: L.no_llseek });
          L.register_chrdev(0, 'nonseek', { open: L.nonseekable_open, llseek: L.default_llseek });
          return 0;
        },
      },
    });
    expect(ld.insmod('seek')).toBe(0);
    inProcess(k, (t) => {
      const u = userBuf(k, t);
      const open = (name: string): number => sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, `/dev/${name}`), O_RDWR);
      const f = open('fixed');
      expect([sys(k, t, NR.lseek, f, 40, 0), sys(k, t, NR.lseek, f, 10, 1), sys(k, t, NR.lseek, f, -20, 2)]).toEqual([40, 50, 80]);
      expect([sys(k, t, NR.lseek, f, 101, 0), sys(k, t, NR.lseek, f, -1, 0), sys(k, t, NR.lseek, f, 0, 3)]).toEqual([-EINVAL, -EINVAL, -EINVAL]);
      const d = open('dflt');
      expect([sys(k, t, NR.lseek, d, 1 << 30, 0), sys(k, t, NR.lseek, d, 5, 2)]).toEqual([1 << 30, 5]);
      const n = open('noop');
      expect(sys(k, t, NR.lseek, n, 77, 0)).toBe(0);
      expect(sys(k, t, NR.lseek, open('nols'), 1, 0)).toBe(-ESPIPE);
      expect(sys(k, t, NR.lseek, open('nonseek'), 1, 0)).toBe(-ESPIPE);
    });
  });
});
