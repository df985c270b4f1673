// <linux/device.h>, <linux/miscdevice.h>, <linux/err.h> in vmlab/linux: the
// labs' registration (3000physicalview: register_chrdev, class_create, a
// devnode setting 0666, device_create) makes /dev/NAME with that mode;
// more minors, misc devices, and rmmod undoing all of it.
import { describe, expect, it } from 'vitest';
import type { Kernel } from '../../../../kernel-ts/kernel';
import type { class_, device, miscdevice } from '../../../../kernel-ts/module/linux/linux';
import { NR } from '../../../../kernel-ts/syscalls/numbers';
import { AT_FDCWD } from '../../../../kernel-ts/syscalls/fs';
import { O_RDWR } from '../../../../kernel-ts/fs/file';
import { S_IFCHR, devMajor, devMinor } from '../../../../kernel-ts/fs/stat';
import { EBUSY, EEXIST, ENOENT, ENXIO } from '../../../../kernel-ts/errno';
import { inProcess } from './helpers';
import { boot, getString, loader, putString, sys, userBuf } from './support';

/** [mode, major, minor] of /dev/NAME, or the lookup's -errno. */
function node(k: Kernel, path: string): number[] | number {
  const i = k.vfs.lookup(path);
  return typeof i === 'number' ? i : [i.mode, devMajor(i.rdev), devMinor(i.rdev)];
}

describe('class_create, devnode and device_create', () => {
  it("gives 3000physicalview's /dev node the devnode's 0666; other minors 0600; rmmod removes them and the class", () => {
    const { k } = boot();
    const got: { cls?: class_; dev?: device | bigint } = {};
    let errs: number[] = [];
    const ld = loader(k, {
      physicalview: {
        init: (L) => {
          const major = L.register_chrdev(0, 'physicalview', { read: (_f, buf, count, ppos) => L.simple_read_from_buffer(buf, count, ppos, 'pv\n', 3) });
          const c = L.class_create({}, 'COMP3000'); // the old (THIS_MODULE, name) form
          if (L.IS_ERR(c)) return L.PTR_ERR(c);
          got.cls = c;
          c.devnode = (_d, mode) => {
            if (mode) mode.mode = 0o666;
            return null;
          };
          got.dev = L.device_create(c, null, L.MKDEV(major, 0), null, 'physicalview');
          const plain = L.class_create('plain');
          if (L.IS_ERR(plain)) return L.PTR_ERR(plain);
          L.device_create(plain, null, L.MKDEV(major, 1), 'drv', 'pv%d', 1);
          L.device_create(plain, null, L.MKDEV(200, 0), null, 'nodriver');
          const again = L.class_create('COMP3000');
          const dup = L.device_create(plain, null, L.MKDEV(major, 2), null, 'pv1');
          errs = [L.IS_ERR(again) ? L.PTR_ERR(again) : 0, L.IS_ERR(dup) ? L.PTR_ERR(dup) : 0];
          return 0;
        },
      },
    });
    expect(ld.insmod('physicalview')).toBe(0);
    expect(errs).toEqual([-EEXIST, -EEXIST]);
    expect(node(k, '/dev/physicalview')).toEqual([S_IFCHR | 0o666, 254, 0]);
    expect(node(k, '/dev/pv1')).toEqual([S_IFCHR | 0o600, 254, 1]);
    expect(node(k, '/dev/nodriver')).toEqual([S_IFCHR | 0o600, 200, 0]);
    const dev = got.dev;
    expect(typeof dev === 'object' && dev.init_name).toBe('physicalview');
    expect(got.cls?.name).toBe('COMP3000');
    expect(typeof k.vfs.lookup('/sys/class/COMP3000')).toBe('object');
    inProcess(k, (t) => {
      const u = userBuf(k, t);
      // Minor 1 reaches the major's file_operations; a major without a driver is -ENXIO at open.
      const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, '/dev/pv1'), O_RDWR);
      expect(sys(k, t, NR.read, fd, u, 10)).toBe(3);
      expect(getString(k, t, u, 3)).toBe('pv\n');
      expect(sys(k, t, NR.close, fd)).toBe(0);
      expect(sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, '/dev/nodriver'), O_RDWR)).toBe(-ENXIO);
    });
    expect(ld.rmmod('physicalview')).toBe(0);
    for (const p of ['/dev/physicalview', '/dev/pv1', '/dev/nodriver', '/sys/class/COMP3000', '/sys/class']) expect(k.vfs.lookup(p)).toBe(-ENOENT);
  });

  it('device_destroy and class_destroy undo before rmmod, as the lab’s cleanup_module does', () => {
    const { k } = boot();
    const ld = loader(k, {
      pv: {
        init: (L) => {
          const major = L.register_chrdev(0, 'pv', {});
          const c = L.class_create('C');
          if (L.IS_ERR(c)) return -1;
          L.device_create(c, null, L.MKDEV(major, 3), null, 'pv3');
          expect(node(k, '/dev/pv3')).toEqual([S_IFCHR | 0o600, 254, 3]);
          L.device_destroy(c, L.MKDEV(major, 3));
          expect(k.vfs.lookup('/dev/pv3')).toBe(-ENOENT);
          L.class_unregister(c);
          L.class_destroy(c);
          expect(k.vfs.lookup('/sys/class/C')).toBe(-ENOENT);
          L.unregister_chrdev(major, 'pv');
          expect(k.vfs.lookup('/dev/pv')).toBe(-ENOENT);
          return 0;
        },
      },
    });
    expect(ld.insmod('pv')).toBe(0);
    expect(ld.rmmod('pv')).toBe(0);
  });
});

describe('misc_register', () => {
  it('makes /dev/NAME on major 10 with dynamic minors from 63 down; open gets the miscdevice in private_data', () => {
    const { k } = boot();
    const seen: unknown[] = [];
    const a: miscdevice = { minor: 255, name: 'misca', fops: { open: (_i, f) => (seen.push(f.private_data), 0) }, mode: 0o666 };
    const b: miscdevice = { minor: 255, name: 'miscb', fops: {} };
    const c: miscdevice = { minor: 255, name: 'misca', fops: {} };
    const r: number[] = [];
    const ld = loader(k, { misc: { init: (L) => (r.push(L.misc_register(a), L.misc_register(b), L.misc_register(c)), 0), exit: (L) => L.misc_deregister(b) } });
    expect(ld.insmod('misc')).toBe(0);
    expect(r).toEqual([0, 0, -EBUSY]);
    expect([a.minor, b.minor]).toEqual([63, 62]);
    expect(node(k, '/dev/misca')).toEqual([S_IFCHR | 0o666, 10, 63]);
    expect(node(k, '/dev/miscb')).toEqual([S_IFCHR | 0o600, 10, 62]);
    expect(a.this_device?.devt).toBe((10 << 20) | 63);
    inProcess(k, (t) => {
      const u = userBuf(k, t);
      const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, '/dev/misca'), O_RDWR);
      expect(fd).toBe(3);
      expect(seen).toEqual([a]);
      expect(seen[0]).toBe(a);
      sys(k, t, NR.close, fd);
    });
    expect(ld.rmmod('misc')).toBe(0);
    expect(k.vfs.lookup('/dev/misca')).toBe(-ENOENT);
    expect(k.vfs.lookup('/dev/miscb')).toBe(-ENOENT);
    // The minors are free again.
    const ld2 = loader(k, { misc2: { init: (L) => L.misc_register({ minor: 255, name: 'again', fops: {} }) } });
    expect(ld2.insmod('misc2')).toBe(0);
    expect(node(k, '/dev/again')).toEqual([S_IFCHR | 0o600, 10, 63]);
  });
});
