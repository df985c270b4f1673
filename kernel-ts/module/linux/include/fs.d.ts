// <linux/fs.h>: struct file_operations, character devices and the helpers a
// driver's methods use (fs/read_write.c, fs/libfs.c, fs/char_dev.c).
// struct file and struct inode are in fs_types.d.ts.
//
// A driver's read and write get the USER buffer's address (a bigint, as
// Linux's `char __user *buf`) and move the bytes themselves with
// copy_to_user/copy_from_user (uaccess.d.ts) or simple_read_from_buffer:
//
//   const fops: file_operations = {
//     read(file, buf, count, ppos) { return simple_read_from_buffer(buf, count, ppos, msg, msg.length); },
//     unlocked_ioctl(file, cmd, arg) { ... copy_from_user(kbuf, arg, 16) ... return 0; },
//   };
//   major = register_chrdev(0, 'mydev', fops);
import type { file, inode } from './fs_types';
import type { vm_area_struct } from './mm_types';
import type { loff_t, size_t, user_ptr } from './types';

/**
 * loff_t *ppos: where a read or write starts. C's `*ppos` is `ppos.pos`; the
 * method advances it by what it moved (`ppos.pos += BigInt(n)`), and the
 * kernel stores it in file.f_pos afterwards (not for pread/pwrite). An object
 * because TypeScript has no pointer to a bigint; `pos` because it is the
 * position (the kernel's own Loff spells it so).
 */
export interface loff_ptr {
  pos: loff_t;
}

/** ssize_t (and loff_t) results: bytes moved or a new position, or -errno. Either spelling. */
export type ssize_t = number | bigint;

/**
 * struct file_operations (include/linux/fs.h), the members drivers use. Each
 * is optional; a missing one means what it means in Linux: no read or write
 * is -EINVAL, no llseek makes lseek -ESPIPE (the position still moves with
 * read and write), no unlocked_ioctl is -ENOTTY, no mmap is -ENODEV.
 * A method that throws is an oops of the calling process (killed), the
 * call answered -EFAULT, and the kernel runs on.
 */
export interface file_operations {
  /** THIS_MODULE: accepted and ignored (vmlab always counts the opens of a module's files: rmmod is -EBUSY while one is open). */
  readonly owner?: unknown;
  /** At open(2): 0 or -errno (the open fails with it). May set file.private_data. */
  open?(inode: inode, file: file): number;
  /** When the last descriptor of the open file is closed. Its result is ignored, as Linux's. */
  release?(inode: inode, file: file): number | void;
  /** read(2): copy at most `count` bytes from *ppos to the user buffer `buf`, advance ppos.pos; bytes (0 = end of file) or -errno. */
  read?(file: file, buf: user_ptr, count: bigint, ppos: loff_ptr): ssize_t;
  /** write(2): take at most `count` bytes from the user buffer `buf`, advance ppos.pos; bytes taken or -errno. */
  write?(file: file, buf: user_ptr, count: bigint, ppos: loff_ptr): ssize_t;
  /** lseek(2): the new position (and set file.f_pos), or -errno. See default_llseek, fixed_size_llseek, no_llseek. */
  llseek?(file: file, offset: loff_t, whence: number): ssize_t;
  /** ioctl(2): cmd is the unsigned int command (ioctl.d.ts), arg the unsigned long argument (often a user pointer). 0 / a value, or -errno. */
  unlocked_ioctl?(file: file, cmd: number, arg: bigint): ssize_t;
  /** mmap(2) of the file: set up `vma` (remap_pfn_range, vm_ops...); 0 or -errno (the mapping fails). */
  mmap?(file: file, vma: vm_area_struct): number;
}

/** lseek whence values (include/uapi/linux/fs.h). */
export declare const SEEK_SET: 0;
export declare const SEEK_CUR: 1;
export declare const SEEK_END: 2;

/**
 * register_chrdev(major, name, fops) (fs/char_dev.c __register_chrdev):
 * claims minors 0..255 of `major` (0: a dynamic major, 254 downwards) for
 * `fops`. The major (dynamic) or 0 (given), or -EBUSY (name or major taken),
 * -EINVAL (major above 511: Linux's "CHRDEV ... is greater than the maximum"
 * line in the log; a bad name: a WARN names the function).
 * vmlab also makes /dev/NAME (c major:0, mode 0666) at once, as if udev did:
 * it has no mknod; device_create (device.d.ts) adds more nodes or sets the mode.
 * Undone by unregister_chrdev or at rmmod.
 */
export declare function register_chrdev(major: number, name: string, fops: file_operations): number;
/** unregister_chrdev(major, name): gives the major back and removes the /dev nodes made for it. Open files keep working. */
export declare function unregister_chrdev(major: number, name: string): void;
/** iminor(inode): the minor number of a device file (MINOR(inode->i_rdev)). */
export declare function iminor(inode: inode): number;
/** imajor(inode): the major number of a device file. */
export declare function imajor(inode: inode): number;

/**
 * simple_read_from_buffer(to, count, ppos, from, available) (fs/libfs.c):
 * copies from kernel data `from` (its first `available` bytes; a string is
 * its UTF-8 bytes) at *ppos to the user buffer `to`, at most `count` bytes,
 * and advances ppos.pos. Bytes copied, 0 at or past the end, -EINVAL for a
 * negative position, -EFAULT when nothing could be copied to `to`.
 */
export declare function simple_read_from_buffer(to: user_ptr, count: size_t, ppos: loff_ptr, from: Uint8Array | string, available: size_t): ssize_t;
/**
 * simple_write_to_buffer(to, available, ppos, from, count) (fs/libfs.c):
 * copies at most `count` bytes from the user buffer `from` into `to` at *ppos
 * (never past `available`), advances ppos.pos. Bytes copied, 0 past the end,
 * -EINVAL for a negative position, -EFAULT when nothing could be copied.
 */
export declare function simple_write_to_buffer(to: Uint8Array, available: size_t, ppos: loff_ptr, from: user_ptr, count: size_t): ssize_t;

/** no_llseek (fs/read_write.c, Linux < 6.12): lseek is -ESPIPE. */
export declare function no_llseek(file: file, offset: loff_t, whence: number): loff_t;
/** noop_llseek: lseek succeeds and the position stays (returns f_pos). */
export declare function noop_llseek(file: file, offset: loff_t, whence: number): loff_t;
/** default_llseek: SEEK_SET/SEEK_CUR/SEEK_END (from i_size); -EINVAL for a negative result or another whence. */
export declare function default_llseek(file: file, offset: loff_t, whence: number): loff_t;
/** generic_file_llseek: as default_llseek, the end being the inode's i_size. */
export declare function generic_file_llseek(file: file, offset: loff_t, whence: number): loff_t;
/** fixed_size_llseek(file, offset, whence, size): positions 0..size; -EINVAL outside. */
export declare function fixed_size_llseek(file: file, offset: loff_t, whence: number, size: loff_t): loff_t;
/** nonseekable_open(inode, file): from an open method, makes lseek on this open file -ESPIPE; returns 0. */
export declare function nonseekable_open(inode: inode, file: file): number;
