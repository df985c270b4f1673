// /sys: a small tree of attributes that drivers publish (Linux sysfs with
// kobj_attribute show/store, fs/sysfs/file.c). An attribute is a text file:
// reading gives show()'s text, a write hands the written text to store().
import { entryPathParts } from './entry-name';
import type { File, Loff } from './file';
import { Inode, SuperBlock, childPath, mkdirInode } from './inode';
import { lookupChild } from './namei';
import { dirOps } from './ramfs';
import { seqFileOps } from './seq';
import { S_IFREG } from './stat';
import { EEXIST, EINVAL, EIO, ENOTDIR } from '../errno';

/** The most one store() sees (Linux hands sysfs attributes one page). */
export const SYSFS_STORE_MAX = 4096;

/** Linux struct kobj_attribute's two callbacks. */
export interface SysfsAttribute {
  /** The attribute's text (conventionally one value and a newline), or -errno. */
  readonly show?: () => string | number;
  /** Accepts written text: bytes consumed (usually text.length) or -errno. */
  readonly store?: (text: string) => number;
}

export class SysFs {
  readonly sb: SuperBlock;
  readonly root: Inode;

  constructor(dev: number, parent: Inode) {
    this.sb = new SuperBlock('sysfs', dev, false);
    this.root = new Inode(this.sb, 0o040555, dirOps, '/sys', parent);
    mkdirInode(this.root, 'kernel', dirOps);
    mkdirInode(this.root, 'devices', dirOps);
  }

  /**
   * sysfs_create_file(): attribute `path` ('kernel/mm/foo' or '/sys/kernel/mm/foo'),
   * directories made as needed. Mode defaults to 0644 with store, 0444 without.
   * The inode, or -EEXIST/-ENOTDIR/-EINVAL (not an entry's name: entry-name.ts).
   */
  create(path: string, attr: SysfsAttribute, mode = attr.store ? 0o644 : 0o444): Inode | number {
    const checked = entryPathParts('/sys', path);
    if ('why' in checked) return -EINVAL;
    const { parts } = checked;
    let dir = this.root;
    for (const name of parts.slice(0, -1)) {
      const next = lookupChild(dir, name) ?? mkdirInode(dir, name, dirOps);
      if (!next.isDir) return -ENOTDIR;
      dir = next;
    }
    const name = parts[parts.length - 1]!;
    if (lookupChild(dir, name)) return -EEXIST;
    const fops = seqFileOps(() => (attr.show ? attr.show() : -EIO), {
      write: (_file: File, data: Uint8Array, ppos: Loff): number => {
        if (!attr.store) return -EIO;
        const r = attr.store(new TextDecoder().decode(data.subarray(0, SYSFS_STORE_MAX)));
        if (r > 0) ppos.pos += r;
        return r;
      },
    });
    return dir.link(name, new Inode(this.sb, S_IFREG | (mode & 0o7777), fops, childPath(dir, name), dir));
  }
}

/**
 * tracefs's files, at /sys/kernel/tracing (Linux mounts tracefs there;
 * kernel/trace/trace_events.c): available_events, one `group:event` a line.
 */
export function tracefsInit(sys: SysFs, availableEvents: () => readonly string[]): void {
  sys.create('kernel/tracing/available_events', { show: () => availableEvents().map((e) => `${e}\n`).join('') });
}
