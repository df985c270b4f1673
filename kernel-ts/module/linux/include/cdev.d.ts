// <linux/cdev.h>, and the character-device regions of <linux/fs.h>
// (fs/char_dev.c): the way today's drivers register a character device,
// in three steps where register_chrdev is one. A region of device numbers
// is claimed (alloc_chrdev_region: a dynamic major; register_chrdev_region:
// given numbers), a struct cdev binds file_operations to numbers of it
// (cdev_init, cdev_add), and a device node is made for a number
// (device_create, device.d.ts: devtmpfs makes /dev/NAME, as udev would):
//
//   const devno: dev_ptr = { dev: 0 };
//   const my_cdev = cdev_alloc()!;            // or a cdev object of your own, as C's static struct cdev
//   let err = alloc_chrdev_region(devno, 0, 1, 'mydev');
//   if (err) return err;
//   cdev_init(my_cdev, fops);
//   err = cdev_add(my_cdev, devno.dev, 1);
//   if (err) { unregister_chrdev_region(devno.dev, 1); return err; }
//   cls = class_create('mydev'); device_create(cls, null, devno.dev, null, 'mydev');
//   ...
//   device_destroy(cls, devno.dev); class_destroy(cls); cdev_del(my_cdev); unregister_chrdev_region(devno.dev, 1);
//
// vmlab binds a node's operations when device_create makes it: call
// cdev_add first, as drivers do (a node made for a number no cdev has is
// -ENXIO at open, as Linux's chrdev_open answers; in vmlab it stays so).
// After cdev_del a node of the cdev is -ENXIO at open; files already open
// keep working. rmmod releases the module's regions and cdevs.
import type { dev_t } from './device';
import type { file_operations } from './fs';

/** dev_t *dev: where alloc_chrdev_region stores the first number of the region (`devno.dev` is C's `*dev`). */
export interface dev_ptr {
  dev: dev_t;
}

/**
 * struct cdev (include/linux/cdev.h), the members drivers use: `ops` (set by
 * cdev_init), `owner` (THIS_MODULE, kept for Linux's sake), and `dev` and
 * `count` (set by cdev_add).
 */
export interface cdev {
  owner: unknown;
  ops: file_operations | null;
  dev: dev_t;
  count: number;
}

/**
 * alloc_chrdev_region(dev, baseminor, count, name): claims `count` minors
 * from `baseminor` of a new dynamic major (254 downwards, shared with
 * register_chrdev(0, ...)) and stores MKDEV(major, baseminor) in `dev.dev`.
 * 0, or -EINVAL (count 0, or past minor 2^20 - 1; a bad name), -EBUSY (no
 * dynamic major left).
 */
export declare function alloc_chrdev_region(dev: dev_ptr, baseminor: number, count: number, name: string): number;
/**
 * register_chrdev_region(from, count, name): claims the minors
 * [MINOR(from), MINOR(from) + count) of MAJOR(from). 0, or -EBUSY (they
 * overlap a region or a register_chrdev major), -EINVAL (count 0, a major
 * above 511, or a range past the major's last minor: vmlab's regions stay
 * within one major).
 */
export declare function register_chrdev_region(from: dev_t, count: number, name: string): number;
/** unregister_chrdev_region(from, count): gives back the region that starts at `from` with `count` minors (nothing if there is none). */
export declare function unregister_chrdev_region(from: dev_t, count: number): void;

/** cdev_alloc(): a new struct cdev (ops null until cdev_init, or set `ops` yourself as Linux's callers of cdev_alloc do). */
export declare function cdev_alloc(): cdev | null;
/** cdev_init(cdev, fops): clears the cdev and sets its ops. */
export declare function cdev_init(cdev: cdev, fops: file_operations): void;
/**
 * cdev_add(p, dev, count): makes the cdev live for the numbers [dev, dev +
 * count): a device node of one of them opens with p.ops (the newest cdev
 * wins where two overlap, as kobj_map's lookup does). 0, or -EINVAL (no
 * ops, count 0, a range past the major's last minor), -EBUSY (p is live already).
 */
export declare function cdev_add(p: cdev, dev: dev_t, count: number): number;
/** cdev_del(p): the cdev is no longer live: its nodes are -ENXIO at open; open files keep working. */
export declare function cdev_del(p: cdev): void;
