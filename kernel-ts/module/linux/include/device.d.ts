// <linux/device.h> and <linux/kdev_t.h>: device numbers, classes and the
// devices that make /dev nodes (drivers/base/core.c, drivers/base/class.c;
// devtmpfs makes the node, as udev would).
//
// 3000physicalview's registration, line by line:
//
//   major = register_chrdev(0, 'physicalview', fops);
//   cls = class_create('COMP3000');                       // or class_create(THIS_MODULE, 'COMP3000')
//   if (IS_ERR(cls)) ...
//   cls.devnode = (dev, mode) => { if (mode) mode.mode = 0o666; return null; };
//   device = device_create(cls, null, MKDEV(major, 0), null, 'physicalview');
//   ...
//   device_destroy(cls, MKDEV(major, 0)); class_destroy(cls); unregister_chrdev(major, 'physicalview');
import type { ulong } from './types';

/** dev_t: the kernel's 32-bit device number, MKDEV(major, minor) = major << 20 | minor. */
export type dev_t = number;

/** MINORBITS: 20. */
export declare const MINORBITS: 20;
/** MKDEV(ma, mi): the dev_t (include/linux/kdev_t.h). */
export declare function MKDEV(ma: number, mi: number): dev_t;
/** MAJOR(dev). */
export declare function MAJOR(dev: dev_t): number;
/** MINOR(dev). */
export declare function MINOR(dev: dev_t): number;

/** umode_t *mode of a devnode callback: set `mode.mode` to choose the node's permission bits. */
export interface umode_ptr {
  mode: number;
}

/** struct device: what device_create made. */
export interface device {
  /** dev_t devt. */
  readonly devt: dev_t;
  /** The name (dev_name()): the /dev node's name. */
  readonly init_name: string;
  readonly class: class_ | null;
  readonly parent: device | null;
  /** dev_get_drvdata/dev_set_drvdata's data (device_create's drvdata). */
  driver_data: unknown;
}

/**
 * struct class (drivers/base/class.c). `devnode`, if set, is asked for each
 * device's node: it may set *mode (the permission bits: otherwise devtmpfs's
 * 0600) and return a name for the node (null: the device's own name).
 */
export interface class_ {
  readonly name: string;
  devnode: ((dev: device, mode: umode_ptr | null) => string | null) | null;
}

/**
 * class_create(name) (Linux >= 6.4) or class_create(owner, name) (older
 * kernels, owner = THIS_MODULE): a device class, shown as /sys/class/NAME.
 * The class, or ERR_PTR(-EEXIST) (a class of that name exists), ERR_PTR(-EINVAL) (a bad name).
 */
export declare function class_create(name: string): class_ | ulong;
export declare function class_create(owner: unknown, name: string): class_ | ulong;
/** class_destroy(cls): removes the class (its devices should be destroyed first: those left go with it). NULL or an ERR_PTR is ignored. */
export declare function class_destroy(cls: class_ | ulong | null): void;
/** class_unregister(cls): as class_destroy (the labs call both; the second call does nothing). */
export declare function class_unregister(cls: class_ | ulong | null): void;

/**
 * device_create(cls, parent, devt, drvdata, fmt, ...args): a device of the
 * class and its node /dev/NAME (NAME = fmt with printf's %d %u %s %x
 * replaced by args), a character device devt whose opens reach the
 * file_operations register_chrdev gave MAJOR(devt) (no driver: open is
 * -ENXIO). Mode: what cls.devnode sets, else 0600. If register_chrdev made
 * /dev/NAME for the same devt, that node is the device's (its mode set).
 * The device, or ERR_PTR(-EEXIST) (the name is taken), ERR_PTR(-EINVAL).
 */
export declare function device_create(cls: class_, parent: device | null, devt: dev_t, drvdata: unknown, fmt: string, ...args: (string | number | bigint)[]): device | ulong;
/** device_destroy(cls, devt): removes the class's device devt and its /dev node. */
export declare function device_destroy(cls: class_, devt: dev_t): void;
/** dev_get_drvdata(dev). */
export declare function dev_get_drvdata(dev: device): unknown;
/** dev_set_drvdata(dev, data). */
export declare function dev_set_drvdata(dev: device, data: unknown): void;
/** dev_name(dev): the device's name. */
export declare function dev_name(dev: device): string;
