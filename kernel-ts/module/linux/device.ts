// <linux/device.h>: classes and device_create's /dev nodes, over the chrdev
// table register_chrdev fills (fs.ts). A class is /sys/class/NAME; a device
// is a /dev node of the module (removed at rmmod with everything else).
import type { LinuxEnv } from './env';
import type * as Device from './include/device';
import type { class_, dev_t, device, umode_ptr } from './include/device';
import { ERR_PTR, IS_ERR } from './err';
import { chrdevOf, kernelFops, warn } from './fs';
import { cdevFor } from './cdev';
import type { FileOperations } from '../../fs/file';
import type { Inode } from '../../fs/inode';
import { S_IFCHR, S_ISCHR, devMajor, devMinor, mkdev } from '../../fs/stat';
import { EEXIST, EINVAL, ENXIO } from '../../errno';
import type { Kernel } from '../../kernel';

/** devtmpfs's mode for a node whose devnode says nothing (drivers/base/devtmpfs.c). */
export const DEVTMPFS_DEFAULT_MODE = 0o600;

class ClassImpl implements class_ {
  devnode: class_['devnode'] = null;
  readonly devices = new Set<DeviceImpl>();
  constructor(
    readonly name: string,
    /** /sys/class/NAME. */
    readonly dir: Inode,
  ) {}
}

class DeviceImpl implements device {
  readonly class: class_ | null;
  constructor(
    readonly devt: dev_t,
    readonly init_name: string,
    cls: class_ | null,
    readonly parent: device | null,
    public driver_data: unknown,
    /** The /dev node's name. */
    readonly node: string,
  ) {
    this.class = cls;
  }
}

const classTables = new WeakMap<Kernel, Map<string, ClassImpl>>();

/** The live classes of kernel k (a class whose /sys/class dir went with its module's rmmod is gone). */
function classes(k: Kernel): Map<string, ClassImpl> {
  let t = classTables.get(k);
  if (t === undefined) classTables.set(k, (t = new Map()));
  for (const [n, c] of t) if (c.dir.parent.children?.get(n) !== c.dir) t.delete(n);
  return t;
}

/** printf's %d %i %u %s %x %ld %lu %lx in a device name (kvasprintf). */
export function formatName(fmt: string, args: readonly (string | number | bigint)[]): string {
  let i = 0;
  return fmt.replace(/%(l{0,2})([diuxs%])/g, (_m, _l: string, c: string) => {
    if (c === '%') return '%';
    const a = args[i++];
    if (c === 'x') return typeof a === 'bigint' || typeof a === 'number' ? a.toString(16) : String(a);
    return String(a);
  });
}

/**
 * The operations a node for devt opens with: its cdev's (cdev_add; -ENXIO
 * at open once cdev_del took it away, as chrdev_open finds no cdev), else
 * its register_chrdev major's, else none (open is -ENXIO).
 */
function nodeFops(env: LinuxEnv, devt: dev_t): FileOperations {
  const k = env.kernel;
  const cd = cdevFor(k, devt);
  if (cd !== undefined && cd.ops !== null) {
    const inner = kernelFops(env, cd.ops);
    return { ...inner, open: (inode, file) => (cdevFor(k, devt) !== cd ? -ENXIO : inner.open ? inner.open(inode, file) : 0) };
  }
  const c = chrdevOf(k, devMajor(devt));
  return c !== undefined ? kernelFops(env, c.fops) : { open: () => -ENXIO };
}

/**
 * Makes (or adopts) /dev/NAME for devt with `mode`: the node register_chrdev
 * made for the same devt is adopted; another taken name is -EEXIST. The fops
 * are the number's cdev's or its major's (nodeFops). 0 or -errno.
 */
export function makeNode(env: LinuxEnv, name: string, devt: dev_t, mode: number, wrap?: (f: FileOperations) => FileOperations): number {
  const k = env.kernel;
  const existing = k.vfs.dev.children?.get(name);
  if (existing !== undefined) {
    if (!S_ISCHR(existing.mode) || existing.rdev !== mkdev(devMajor(devt), devMinor(devt))) return -EEXIST;
    existing.mode = S_IFCHR | (mode & 0o7777);
    return 0;
  }
  const fops = nodeFops(env, devt);
  const r = env.module.registerChrdev(name, wrap ? wrap(fops) : fops, { major: devMajor(devt), minor: devMinor(devt), mode });
  return r < 0 ? r : 0;
}

export function deviceApi(env: LinuxEnv): typeof Device {
  const k = env.kernel;
  const destroy = (cls: class_ | bigint | null): void => {
    if (cls === null || IS_ERR(cls) || !(cls instanceof ClassImpl)) return;
    if (classes(k).get(cls.name) !== cls) return;
    for (const d of cls.devices) env.module.unregisterChrdev(d.node);
    cls.devices.clear();
    classes(k).delete(cls.name);
    env.module.rmdir(cls.dir);
  };
  return {
    MINORBITS: 20,
    MKDEV: (ma, mi) => mkdev(ma, mi),
    MAJOR: (dev) => devMajor(dev),
    MINOR: (dev) => devMinor(dev),

    class_create(a: unknown, b?: string): class_ | bigint {
      const name = b === undefined ? a : b;
      if (typeof name !== 'string') return ERR_PTR(-EINVAL);
      if (classes(k).has(name)) return ERR_PTR(-EEXIST);
      const dir = env.module.mkdir('/sys', `class/${name}`, 0o755);
      if (typeof dir === 'number') return ERR_PTR(dir);
      const c = new ClassImpl(name, dir);
      classes(k).set(name, c);
      return c;
    },
    class_destroy: destroy,
    class_unregister: destroy,

    device_create(cls, parent, devt, drvdata, fmt, ...args) {
      if (!(cls instanceof ClassImpl)) {
        warn(env, 'drivers/base/core.c', 'device_create', 'device_create: cls is not a class made by class_create');
        return ERR_PTR(-EINVAL);
      }
      const name = formatName(fmt, args);
      const dev = new DeviceImpl(devt, name, cls, parent, drvdata, name);
      const m: umode_ptr = { mode: 0 };
      const nodeName = cls.devnode?.(dev, m) ?? name;
      const node = new DeviceImpl(devt, name, cls, parent, drvdata, nodeName);
      const r = makeNode(env, nodeName, devt, m.mode !== 0 ? m.mode : DEVTMPFS_DEFAULT_MODE);
      if (r < 0) return ERR_PTR(r);
      cls.devices.add(node);
      return node;
    },

    device_destroy(cls, devt) {
      if (!(cls instanceof ClassImpl)) return;
      for (const d of cls.devices) {
        if (d.devt !== devt) continue;
        cls.devices.delete(d);
        env.module.unregisterChrdev(d.node);
        return;
      }
    },

    dev_get_drvdata: (dev) => dev.driver_data,
    dev_set_drvdata: (dev, data) => {
      dev.driver_data = data;
    },
    dev_name: (dev) => dev.init_name,
  };
}
