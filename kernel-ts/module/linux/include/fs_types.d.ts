// struct file and struct inode (include/linux/fs.h), the views every area
// shares: a VMA's vm_file, a file_operations method's argument. The
// file_operations themselves and the functions on files are in fs.d.ts.
import type { loff_t, ulong } from './types';

/** struct inode (include/linux/fs.h): a file-system object. */
export interface inode {
  /** unsigned long i_ino. */
  readonly i_ino: ulong;
  /** umode_t i_mode: S_IFMT type bits | permission bits. */
  readonly i_mode: number;
  /** dev_t i_rdev of a device file: MKDEV(major, minor). */
  readonly i_rdev: number;
  readonly i_nlink: number;
  /** loff_t i_size. */
  readonly i_size: loff_t;
  /** The driver's data (void *i_private). */
  i_private: unknown;
}

/** struct file (include/linux/fs.h): one open of an inode. */
export interface file {
  /** The position read/write/llseek use (loff_t f_pos). */
  f_pos: loff_t;
  /** open(2) flags: O_ACCMODE bits, O_APPEND, O_NONBLOCK... */
  f_flags: number;
  /** FMODE_READ (0x1) | FMODE_WRITE (0x2), from the open mode. */
  readonly f_mode: number;
  readonly f_inode: inode;
  /** The driver's per-open data (void *private_data). */
  private_data: unknown;
}
