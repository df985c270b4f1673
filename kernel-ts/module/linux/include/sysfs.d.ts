// <linux/sysfs.h>: attributes, the files of /sys (fs/sysfs/file.c,
// fs/sysfs/group.c), as struct kobj_attribute's show and store.
//
//   let promote = 0;
//   const promote_attr = __ATTR('promote', 0o664,
//     (kobj, attr, buf) => sysfs_emit(buf, '%d\n', promote),
//     (kobj, attr, buf, count) => { promote = parseInt(buf, 10); return count; });
//   sysfs_create_file(kobj, promote_attr.attr);
import type { kobject } from './kobject';
import type { ssize_t } from './fs';

/** struct attribute: the file's name and permission bits. */
export interface attribute {
  readonly name: string;
  readonly mode: number;
}

/**
 * The page a show method fills (Linux's `char *buf` of PAGE_SIZE bytes):
 * write with sysfs_emit/sysfs_emit_at and return the count they give.
 */
export interface sysfs_page {
  readonly text: string;
}

/**
 * struct kobj_attribute (include/linux/kobject.h). show returns the bytes it
 * put in buf (sysfs_emit's result) or -errno — or, vmlab's shortcut, the text
 * itself; store gets the text written (at most PAGE_SIZE bytes) and its byte
 * count, and returns the bytes it consumed (usually count) or -errno. A
 * missing show/store makes reads/writes -EIO. A throw is an oops of the caller.
 */
export interface kobj_attribute {
  readonly attr: attribute;
  show?(kobj: kobject, attr: kobj_attribute, buf: sysfs_page): ssize_t | string;
  store?(kobj: kobject, attr: kobj_attribute, buf: string, count: bigint): ssize_t;
}

/** struct attribute_group: attributes made together, in a subdirectory `name` if given. */
export interface attribute_group {
  readonly name?: string;
  /** The attributes: `x_attr.attr` (from __ATTR*) or the kobj_attribute itself. */
  readonly attrs: readonly (attribute | kobj_attribute)[];
}

/** __ATTR(name, mode, show, store): a kobj_attribute (static struct kobj_attribute x = __ATTR(...)). */
export declare function __ATTR(name: string, mode: number, show: kobj_attribute['show'] | null, store: kobj_attribute['store'] | null): kobj_attribute;
/** __ATTR_RO(name, show): mode 0444. (Linux finds name_show by name; here it is given.) */
export declare function __ATTR_RO(name: string, show: NonNullable<kobj_attribute['show']>): kobj_attribute;
/** __ATTR_WO(name, store): mode 0200. */
export declare function __ATTR_WO(name: string, store: NonNullable<kobj_attribute['store']>): kobj_attribute;
/** __ATTR_RW(name, show, store): mode 0644. */
export declare function __ATTR_RW(name: string, show: NonNullable<kobj_attribute['show']>, store: NonNullable<kobj_attribute['store']>): kobj_attribute;

/**
 * sysfs_create_file(kobj, attr): the file /sys/<kobj>/<attr.name> with
 * attr.mode. `attr` is x_attr.attr of an __ATTR* kobj_attribute (or the
 * kobj_attribute). 0, or -EEXIST, -EINVAL (a bad name, with the WARN),
 * -ENOENT (kobj removed).
 */
export declare function sysfs_create_file(kobj: kobject, attr: attribute | kobj_attribute): number;
/** sysfs_remove_file(kobj, attr). */
export declare function sysfs_remove_file(kobj: kobject, attr: attribute | kobj_attribute): void;
/** sysfs_create_group(kobj, grp): every attribute of grp (in grp.name/ if set); 0 or the first -errno (nothing left made). */
export declare function sysfs_create_group(kobj: kobject, grp: attribute_group): number;
/** sysfs_remove_group(kobj, grp). */
export declare function sysfs_remove_group(kobj: kobject, grp: attribute_group): void;
/** sysfs_emit(buf, fmt, ...args): printf-formats into a show method's page (from its start); the bytes written. */
export declare function sysfs_emit(buf: sysfs_page, fmt: string, ...args: unknown[]): number;
/** sysfs_emit_at(buf, at, fmt, ...args): the same at byte offset `at` (what was emitted so far); the bytes written. */
export declare function sysfs_emit_at(buf: sysfs_page, at: number, fmt: string, ...args: unknown[]): number;
