// <linux/cdev.h> and the chrdev regions in vmlab/linux: alloc_chrdev_region,
// cdev_init, cdev_add, then device_create makes the node that opens with the
// cdev's file_operations; cdev_del makes new opens -ENXIO (open files keep
// working); regions collide as fs/char_dev.c's do; rmmod releases them.
import { describe, expect, it } from 'vitest';
import type { cdev, class_, dev_ptr } from '../../../../kernel-ts/module/linux/linux';
import { NR } from '../../../../kernel-ts/syscalls/numbers';
import { AT_FDCWD } from '../../../../kernel-ts/syscalls/fs';
import { O_RDWR } from '../../../../kernel-ts/fs/file';
import { S_IFCHR, devMajor, devMinor } from '../../../../kernel-ts/fs/stat';
import { EBUSY, EINVAL, ENOENT, ENXIO } from '../../../../kernel-ts/errno';
import { inProcess } from './helpers';
import { boot, getString, loader, putString, sys, userBuf } from './support';

describe('alloc_chrdev_region, cdev_add, device_create', () => {
  it('a node opens with the cdev of its number (a number without one: -ENXIO); misuse is -EINVAL/-EBUSY; rmmod removes the nodes', () => {
    const { k } = boot();
    const devno: dev_ptr = { dev: 0 };
    const got: { c?: cdev; cls?: class_; errs?: number[] } = {};
    const ld = loader(k, {
      scull: {
        init: (L) => {
          let err = L.alloc_chrdev_region(devno, 3, 2, 'scull');
          if (err) return err;
          const c = L.cdev_alloc()!;
          L.cdev_init(c, { read: (_f, buf, count, ppos) => L.simple_read_from_buffer(buf, count, ppos, `minor ${L.MINOR(c.dev)}\n`, 8) });
          err = L.cdev_add(c, devno.dev, 2);
          if (err) return err;
          got.c = c;
          const cls = L.class_create('scull');
          if (L.IS_ERR(cls)) return L.PTR_ERR(cls);
          got.cls = cls;
          L.device_create(cls, null, devno.dev, null, 'scull%d', 0);
          L.device_create(cls, null, devno.dev + 1, null, 'scull%d', 1);
          L.device_create(cls, null, L.MKDEV(L.MAJOR(devno.dev), 9), null, 'scull9'); // no cdev for minor 9
          got.errs = [
            L.cdev_add(c, devno.dev, 2), // live already
            L.register_chrdev_region(L.MKDEV(L.MAJOR(devno.dev), 4), 1, 'other'), // overlaps minors 3..4
            L.alloc_chrdev_region({ dev: 0 }, 0, 0, 'none'), // count 0
            L.cdev_add(L.cdev_alloc()!, devno.dev, 1), // no ops
          ];
          return 0;
        },
      },
    });
    expect(ld.insmod('scull')).toBe(0);
    expect(devMajor(devno.dev)).toBe(254);
    expect(devMinor(devno.dev)).toBe(3);
    expect(got.c).toMatchObject({ dev: devno.dev, count: 2 });
    expect(got.errs).toEqual([-EBUSY, -EBUSY, -EINVAL, -EINVAL]);
    const i = k.vfs.lookup('/dev/scull1');
    expect(typeof i === 'object' && [i.mode, devMajor(i.rdev), devMinor(i.rdev)]).toEqual([S_IFCHR | 0o600, 254, 4]);
    inProcess(k, (t) => {
      const u = userBuf(k, t);
      const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, '/dev/scull0'), O_RDWR);
      expect(sys(k, t, NR.read, fd, u, 16)).toBe(8);
      expect(getString(k, t, u, 8)).toBe('minor 3\n');
      expect(sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, '/dev/scull9'), O_RDWR)).toBe(-ENXIO);
    });
    expect(ld.rmmod('scull')).toBe(0);
    expect(k.vfs.lookup('/dev/scull0')).toBe(-ENOENT);
  });

  it('cdev_del before device_destroy: the node is -ENXIO at open, an already open file still works', () => {
    const { k } = boot();
    let del: (() => void) | null = null;
    const ld = loader(k, {
      d: {
        init: (L) => {
          const devno: dev_ptr = { dev: 0 };
          if (L.alloc_chrdev_region(devno, 0, 1, 'd')) return -1;
          const c: cdev = { owner: null, ops: null, dev: 0, count: 0 }; // a static struct cdev
          L.cdev_init(c, { read: (_f, buf, count, ppos) => L.simple_read_from_buffer(buf, count, ppos, 'yes\n', 4) });
          if (L.cdev_add(c, devno.dev, 1)) return -1;
          const cls = L.class_create('d');
          if (L.IS_ERR(cls)) return -1;
          L.device_create(cls, null, devno.dev, null, 'd0');
          del = () => L.cdev_del(c);
          return 0;
        },
      },
    });
    expect(ld.insmod('d')).toBe(0);
    inProcess(k, (t) => {
      const u = userBuf(k, t);
      const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, '/dev/d0'), O_RDWR);
      expect(fd).toBeGreaterThanOrEqual(0);
      del!();
      expect(sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, '/dev/d0'), O_RDWR)).toBe(-ENXIO);
      expect(sys(k, t, NR.read, fd, u, 16)).toBe(4);
      expect(getString(k, t, u, 4)).toBe('yes\n');
      expect(sys(k, t, NR.close, fd)).toBe(0);
    });
    expect(ld.rmmod('d')).toBe(0);
  });

  it('register_chrdev_region takes given numbers; a register_chrdev major is taken; rmmod gives regions back', () => {
    const { k } = boot();
    const errs: number[][] = [];
    const mods = {
      a: {
        init: (L: Parameters<Parameters<typeof loader>[1][string]['init']>[0]) => {
          const major = L.register_chrdev(0, 'a', {});
          errs.push([
            L.register_chrdev_region(L.MKDEV(240, 0), 4, 'a240'),
            L.register_chrdev_region(L.MKDEV(240, 2), 1, 'dup'),
            L.register_chrdev_region(L.MKDEV(major, 0), 1, 'taken'),
            L.register_chrdev_region(L.MKDEV(major, 300), 1, 'above-256'),
            L.register_chrdev_region(L.MKDEV(600, 0), 1, 'big'),
          ]);
          return 0;
        },
      },
      b: {
        init: (L: Parameters<Parameters<typeof loader>[1][string]['init']>[0]) => {
          errs.push([L.register_chrdev_region(L.MKDEV(240, 0), 4, 'again')]);
          L.unregister_chrdev_region(L.MKDEV(240, 0), 4);
          errs.push([L.register_chrdev_region(L.MKDEV(240, 0), 4, 'again')]);
          return 0;
        },
      },
    };
    const ld = loader(k, mods);
    expect(ld.insmod('a')).toBe(0);
    expect(errs.shift()).toEqual([0, -EBUSY, -EBUSY, 0, -EINVAL]);
    expect(ld.rmmod('a')).toBe(0);
    expect(ld.insmod('b')).toBe(0);
    expect(errs).toEqual([[0], [0]]);
  });
});
