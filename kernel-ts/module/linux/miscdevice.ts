// <linux/miscdevice.h>: misc_register/misc_deregister (drivers/char/misc.c):
// a /dev node on major 10 whose opens get the miscdevice in private_data.
import type { LinuxEnv } from './env';
import type * as Misc from './include/miscdevice';
import type { file_operations } from './include/fs';
import type { miscdevice } from './include/miscdevice';
import { DEVTMPFS_DEFAULT_MODE, makeNode } from './device';
import { kernelFops } from './fs';
import type { FileOperations } from '../../fs/file';
import type { Inode } from '../../fs/inode';
import { mkdev } from '../../fs/stat';
import { EBUSY, EEXIST, EINVAL } from '../../errno';
import type { Kernel } from '../../kernel';

const MISC_MAJOR = 10;
const MISC_DYNAMIC_MINOR = 255;
/** DYNAMIC_MINORS: dynamic minors are 63 down to 0. */
const DYNAMIC_MINORS = 64;

interface Registered {
  readonly misc: miscdevice;
  readonly node: Inode;
  readonly name: string;
}
const miscTables = new WeakMap<Kernel, Map<number, Registered>>();

/** Minor -> live registration (a node gone with its module's rmmod frees the minor). */
function minors(k: Kernel): Map<number, Registered> {
  let t = miscTables.get(k);
  if (t === undefined) miscTables.set(k, (t = new Map()));
  for (const [m, r] of t) if (k.vfs.dev.children?.get(r.name) !== r.node) t.delete(m);
  return t;
}

export function miscdeviceApi(env: LinuxEnv): typeof Misc {
  const k = env.kernel;
  return {
    MISC_MAJOR,
    MISC_DYNAMIC_MINOR,

    misc_register(misc) {
      if (typeof misc?.name !== 'string') return -EINVAL;
      const table = minors(k);
      let minor = misc.minor;
      if (minor === MISC_DYNAMIC_MINOR) {
        minor = -1;
        for (let i = DYNAMIC_MINORS - 1; i >= 0; i--) {
          if (!table.has(i)) {
            minor = i;
            break;
          }
        }
        if (minor < 0) return -EBUSY;
      } else if (!Number.isInteger(minor) || minor < 0 || minor > 0xfffff || table.has(minor)) {
        return Number.isInteger(minor) && minor >= 0 ? -EBUSY : -EINVAL;
      }
      const name = misc.nodename ?? misc.name;
      // misc_open(): private_data is the miscdevice before the driver's open runs.
      const fops: file_operations = {
        ...misc.fops,
        open: (inode, file) => {
          file.private_data = misc;
          return misc.fops.open ? misc.fops.open(inode, file) : 0;
        },
      };
      const devt = mkdev(MISC_MAJOR, minor);
      const wrap = (): FileOperations => kernelFops(env, fops);
      const r = makeNode(env, name, devt, misc.mode ? misc.mode : DEVTMPFS_DEFAULT_MODE, wrap);
      if (r < 0) return r === -EEXIST ? -EBUSY : r;
      const node = k.vfs.dev.children!.get(name)!;
      table.set(minor, { misc, node, name });
      misc.minor = minor;
      misc.this_device = { devt, init_name: misc.name, class: null, parent: null, driver_data: null };
      return 0;
    },

    misc_deregister(misc) {
      const table = minors(k);
      const r = table.get(misc.minor);
      if (r === undefined || r.misc !== misc) return;
      table.delete(misc.minor);
      env.module.unregisterChrdev(r.name);
      misc.this_device = null;
    },
  };
}
