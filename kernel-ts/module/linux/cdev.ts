// <linux/cdev.h> and the chrdev regions of <linux/fs.h> (fs/char_dev.c):
// per kernel, the claimed regions of device numbers and the live cdevs, each
// with the module that made it (dead once that module is retired: rmmod
// releases them). device_create (device.ts) asks cdevFor() which cdev a
// number opens.
import type { LinuxEnv } from './env';
import type * as Cdev from './include/cdev';
import type { cdev } from './include/cdev';
import type { dev_t } from './include/device';
import { chrdevOf, warn } from './fs';
import type { LoadedModule } from '../context';
import { devMajor, devMinor, mkdev } from '../../fs/stat';
import { EBUSY, EINVAL } from '../../errno';
import type { Kernel } from '../../kernel';

/** MINORMASK + 1: minors per major. */
const MINORS = 1 << 20;
/** CHRDEV_MAJOR_MAX: majors are below 512. */
const CHRDEV_MAJOR_MAX = 512;
/** register_chrdev's claim: minors 0..255 of its major. */
const CHRDEV_MINORS = 256;

interface Region {
  readonly major: number;
  readonly baseminor: number;
  readonly count: number;
  readonly name: string;
  readonly owner: LoadedModule;
}

interface LiveCdev {
  readonly cdev: cdev;
  readonly major: number;
  readonly baseminor: number;
  readonly count: number;
  readonly owner: LoadedModule;
}

interface Tables {
  regions: Region[];
  cdevs: LiveCdev[];
}
const tables = new WeakMap<Kernel, Tables>();

/** Kernel k's regions and cdevs, without those of retired modules. */
function tablesOf(k: Kernel): Tables {
  let t = tables.get(k);
  if (t === undefined) tables.set(k, (t = { regions: [], cdevs: [] }));
  t.regions = t.regions.filter((r) => !r.owner.retired);
  t.cdevs = t.cdevs.filter((c) => !c.owner.retired);
  return t;
}

const overlaps = (a0: number, n0: number, a1: number, n1: number): boolean => a0 < a1 + n1 && a1 < a0 + n0;

/** The live cdev that device number devt opens (the newest where two overlap), if any. */
export function cdevFor(k: Kernel, devt: dev_t): cdev | undefined {
  const major = devMajor(devt);
  const minor = devMinor(devt);
  const live = tablesOf(k).cdevs;
  for (let i = live.length - 1; i >= 0; i--) {
    const c = live[i]!;
    if (c.major === major && minor >= c.baseminor && minor < c.baseminor + c.count) return c.cdev;
  }
  return undefined;
}

const isCount = (n: unknown, base: number): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && base + n <= MINORS;
const isMinor = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < MINORS;

export function cdevApi(env: LinuxEnv): typeof Cdev {
  const k = env.kernel;
  const nameOk = (name: unknown, fn: string): name is string => {
    if (typeof name === 'string' && name !== '' && !name.includes('/')) return true;
    warn(env, 'fs/char_dev.c', fn, `${fn}: a region's name is a non-empty string without '/'`);
    return false;
  };
  return {
    alloc_chrdev_region(dev, baseminor, count, name) {
      if (!isMinor(baseminor) || !isCount(count, baseminor) || !nameOk(name, 'alloc_chrdev_region')) return -EINVAL;
      const major = k.vfs.reserveChrdevMajor();
      if (major < 0) return major;
      tablesOf(k).regions.push({ major, baseminor, count, name, owner: env.module });
      dev.dev = mkdev(major, baseminor);
      return 0;
    },

    register_chrdev_region(from, count, name) {
      const major = devMajor(from);
      const base = devMinor(from);
      if (major < 1 || major >= CHRDEV_MAJOR_MAX || !isCount(count, base) || !nameOk(name, 'register_chrdev_region')) return -EINVAL;
      const t = tablesOf(k);
      if (t.regions.some((r) => r.major === major && overlaps(r.baseminor, r.count, base, count))) return -EBUSY;
      if (chrdevOf(k, major) !== undefined && base < CHRDEV_MINORS) return -EBUSY;
      t.regions.push({ major, baseminor: base, count, name, owner: env.module });
      return 0;
    },

    unregister_chrdev_region(from, count) {
      const t = tablesOf(k);
      const i = t.regions.findIndex((r) => r.major === devMajor(from) && r.baseminor === devMinor(from) && r.count === count);
      if (i >= 0) t.regions.splice(i, 1);
    },

    cdev_alloc: () => ({ owner: null, ops: null, dev: 0, count: 0 }),

    cdev_init(c, fops) {
      c.owner = null;
      c.dev = 0;
      c.count = 0;
      c.ops = fops;
    },

    cdev_add(p, dev, count) {
      if (p === null || typeof p !== 'object' || p.ops === null || typeof p.ops !== 'object') {
        warn(env, 'fs/char_dev.c', 'cdev_add', 'cdev_add: the cdev has no ops (cdev_init first)');
        return -EINVAL;
      }
      const base = devMinor(dev);
      if (!isCount(count, base)) return -EINVAL;
      const t = tablesOf(k);
      if (t.cdevs.some((c) => c.cdev === p)) return -EBUSY;
      p.dev = dev;
      p.count = count;
      t.cdevs.push({ cdev: p, major: devMajor(dev), baseminor: base, count, owner: env.module });
      return 0;
    },

    cdev_del(p) {
      const t = tablesOf(k);
      const i = t.cdevs.findIndex((c) => c.cdev === p);
      if (i >= 0) t.cdevs.splice(i, 1);
    },
  };
}
