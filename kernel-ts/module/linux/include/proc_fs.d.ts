// <linux/proc_fs.h>: a module's files under /proc (fs/proc/generic.c,
// fs/proc/inode.c). mtest's /proc/mtest:
//
//   const ops: proc_ops = { proc_write: (file, buf, count, ppos) => { ...copy_from_user...; return count; } };
//   if (!proc_create('mtest', 0o666, null, ops)) return -ENOMEM;
//   ...
//   remove_proc_entry('mtest', null);
import type { file, inode } from './fs_types';
import type { loff_ptr, ssize_t } from './fs';
import type { vm_area_struct } from './mm_types';
import type { loff_t, user_ptr } from './types';

/** struct proc_dir_entry: an entry proc_create or proc_mkdir made (for parent arguments and proc_remove). */
export interface proc_dir_entry {
  readonly name: string;
  /** The path under /proc ('driver/x'). */
  readonly path: string;
  readonly parent: proc_dir_entry | null;
}

/**
 * struct proc_ops (include/linux/proc_fs.h, Linux >= 5.6): as file_operations
 * with proc_ names. Without proc_lseek, lseek is default_llseek (pde_lseek);
 * no proc_read/proc_write is -EINVAL; a throw is an oops of the caller.
 */
export interface proc_ops {
  /** PROC_ENTRY_PERMANENT etc.: accepted and ignored. */
  readonly proc_flags?: number;
  proc_open?(inode: inode, file: file): number;
  proc_read?(file: file, buf: user_ptr, count: bigint, ppos: loff_ptr): ssize_t;
  proc_write?(file: file, buf: user_ptr, count: bigint, ppos: loff_ptr): ssize_t;
  proc_lseek?(file: file, offset: loff_t, whence: number): ssize_t;
  proc_release?(inode: inode, file: file): number | void;
  proc_ioctl?(file: file, cmd: number, arg: bigint): ssize_t;
  proc_mmap?(file: file, vma: vm_area_struct): number;
}

/**
 * proc_create(name, mode, parent, proc_ops): the file /proc/[parent/]name.
 * mode: permission bits (0: 0444, as Linux's S_IRUGO default). The entry, or
 * null (Linux's NULL: the name exists, or it is not a name — with the WARN
 * __proc_create gives). Removed by proc_remove/remove_proc_entry or at rmmod.
 */
export declare function proc_create(name: string, mode: number, parent: proc_dir_entry | null, proc_ops: proc_ops): proc_dir_entry | null;
/** proc_create_data(name, mode, parent, proc_ops, data): as proc_create, `data` given back by pde_data(inode). */
export declare function proc_create_data(name: string, mode: number, parent: proc_dir_entry | null, proc_ops: proc_ops, data: unknown): proc_dir_entry | null;
/** proc_create_single(name, mode, parent, show): a read-only seq_file whose text show(m, v) writes with seq_printf (seq_file.d.ts). */
export declare function proc_create_single(name: string, mode: number, parent: proc_dir_entry | null, show: (m: import('./seq_file').seq_file, v: unknown) => number): proc_dir_entry | null;
/** proc_mkdir(name, parent): the directory /proc/[parent/]name (mode 0555), or null. */
export declare function proc_mkdir(name: string, parent: proc_dir_entry | null): proc_dir_entry | null;
/** proc_remove(entry): removes the entry (a directory with what is in it). null is ignored. */
export declare function proc_remove(entry: proc_dir_entry | null): void;
/** remove_proc_entry(name, parent): removes /proc/[parent/]name. An unknown name: Linux's WARN "name 'x'". */
export declare function remove_proc_entry(name: string, parent: proc_dir_entry | null): void;
/** pde_data(inode) (PDE_DATA before Linux 5.17): the data proc_create_data was given. */
export declare function pde_data(inode: inode): unknown;
export declare function PDE_DATA(inode: inode): unknown;
