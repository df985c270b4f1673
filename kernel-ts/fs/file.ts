// Open files and the operations drivers implement: Linux's struct file and
// struct file_operations (include/linux/fs.h), reduced to what vmlab's
// system calls use.
//
// Buffers are kernel buffers: the syscall layer does the uaccess (copying to
// and from user memory page by page, -EFAULT on a bad pointer) and hands a
// driver's read a Uint8Array to fill and its write the bytes user space gave;
// or, with readUser/writeUser (the modules' file_operations, vmlab/linux),
// the user buffer's address, as Linux hands ->read and ->write.
// A driver that needs the calling task (ioctl with a user pointer, mmap)
// uses the kernel's `current`, as Linux drivers do.
import type { VmAreaStruct } from '../mm/vma';
import type { Inode } from './inode';
import { EINVAL } from '../errno';

/** open(2) flags, asm-generic/fcntl.h (riscv64). */
export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;
/**
 * Linux VALID_OPEN_FLAGS (include/linux/fcntl.h): the bits open/openat keep
 * (build_open_how masks the rest away), with O_DSYNC, FASYNC, O_DIRECT,
 * O_NOATIME, __O_SYNC and __O_TMPFILE among them.
 */
export const VALID_OPEN_FLAGS =
  O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | 0o10000 | 0o20000 | 0o40000 | O_LARGEFILE |
  O_DIRECTORY | O_NOFOLLOW | 0o1000000 | O_CLOEXEC | 0o4000000 | O_PATH | 0o20000000;

/** lseek whence values. */
export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;

/** Linux MAX_RW_COUNT: one read/write moves at most INT_MAX rounded down to a page. */
export const MAX_RW_COUNT = 0x7ffff000;
/** Largest file offset vmlab keeps exact (a double's integer range, far beyond any file here). */
export const MAX_LFS_FILESIZE = Number.MAX_SAFE_INTEGER;

/** Linux's loff_t *ppos: the position a read or write starts at, advanced by the driver. */
export interface Loff {
  pos: number;
}

/**
 * Linux struct file_operations. Every member is optional; a missing one means
 * what it means in Linux: no read -> -EINVAL, no write -> -EINVAL, no llseek ->
 * -ESPIPE, no ioctl -> -ENOTTY, no mmap -> -ENODEV.
 *
 *   open(inode, file)        at open time; 0 or -errno (may set file.private)
 *   read(file, buf, ppos)    fill buf from ppos.pos, advance it; bytes read (0 = EOF) or -errno
 *   write(file, data, ppos)  consume data at ppos.pos, advance it; bytes written or -errno
 *   llseek(file, off, whence) new position or -errno (genericFileLlseek for sized files)
 *   ioctl(file, cmd, arg)    Linux unlocked_ioctl: arg is the raw unsigned long
 *   mmap(file, vma)          set up vma (vm_ops, flags) for a file mapping; 0 or -errno
 *   release(inode, file)     the last reference to the open file is gone
 *   discardsWrites           Linux's write_null: a write succeeds whole without its data being read
 */
export interface FileOperations {
  readonly open?: (inode: Inode, file: File) => number;
  readonly read?: (file: File, buf: Uint8Array, ppos: Loff) => number;
  readonly write?: (file: File, data: Uint8Array, ppos: Loff) => number;
  readonly llseek?: (file: File, offset: number, whence: number) => number;
  readonly ioctl?: (file: File, cmd: number, arg: number) => number;
  readonly mmap?: (file: File, vma: VmAreaStruct) => number;
  readonly release?: (inode: Inode, file: File) => void;
  /**
   * Linux's ->read as a driver writes it: the user buffer's address and the
   * count; the driver copies with copy_to_user itself. vfs_read (syscalls/fs.ts:
   * read, pread64, readv) calls it once per transfer, in preference to read.
   * Bytes read (0 = EOF) or -errno. Set by vmlab/linux's file_operations.
   */
  readonly readUser?: (file: File, ubuf: number, count: number, ppos: Loff) => number;
  /** ->write with the user buffer (copy_from_user in the driver); preferred to write by vfs_write. */
  readonly writeUser?: (file: File, ubuf: number, count: number, ppos: Loff) => number;
  /** ->unlocked_ioctl with arg as the full 64-bit unsigned long (preferred to ioctl by sys_ioctl). */
  readonly unlockedIoctl?: (file: File, cmd: number, arg: bigint) => number;
  /** /dev/null and /dev/zero (write_null): write(2) returns the count and never copies the data in. */
  readonly discardsWrites?: boolean;
}

/** Linux struct file: one open of an inode, shared by dup'ed and inherited descriptors. */
export class File {
  /** Position for read/write/lseek (f_pos). */
  pos = 0;
  /** f_count: descriptors (in every task) referring to this open file. */
  count = 1;
  /** The driver's per-open data (private_data). */
  private: unknown = null;

  constructor(
    readonly inode: Inode,
    /** f_flags: O_ACCMODE bits, O_APPEND, O_NONBLOCK... (O_CLOEXEC lives in the fd table). */
    public flags: number,
    readonly fop: FileOperations = inode.fop,
  ) {
    inode.iget();
  }

  get readable(): boolean {
    return (this.flags & O_ACCMODE) !== O_WRONLY;
  }

  get writable(): boolean {
    const acc = this.flags & O_ACCMODE;
    return acc === O_WRONLY || acc === O_RDWR;
  }

  /** The name the file was opened by (d_path). */
  get path(): string {
    return this.inode.path;
  }
}

/** get_file(): one more reference. */
export function getFile(file: File): File {
  file.count++;
  return file;
}

/** fput(): drops a reference; the last one calls release. */
export function fput(file: File): void {
  if (file.count <= 0) throw new Error(`fput of ${file.path}: reference count already ${file.count}`);
  if (--file.count === 0) {
    file.fop.release?.(file.inode, file);
    file.inode.iput();
  }
}

/** generic_file_llseek() for a file of `size` bytes: SEEK_SET/CUR/END; -EINVAL for a bad whence or negative result. */
export function genericFileLlseek(file: File, offset: number, whence: number, size: number): number {
  let pos: number;
  switch (whence) {
    case SEEK_SET: pos = offset; break;
    case SEEK_CUR: pos = file.pos + offset; break;
    case SEEK_END: pos = size + offset; break;
    default: return -EINVAL;
  }
  if (pos < 0 || pos > MAX_LFS_FILESIZE) return -EINVAL;
  file.pos = pos;
  return pos;
}

/**
 * seq_lseek()/mem_lseek(): any position from SEEK_SET or SEEK_CUR, for files
 * whose reads past the data are EOF (seq files, /proc/PID/pagemap). Linux
 * takes any loff_t there; vmlab's positions are exact only to
 * MAX_LFS_FILESIZE, so one past it is -EINVAL rather than a rounded position.
 */
export function anyPositionLlseek(file: File, offset: number, whence: number): number {
  const pos = whence === SEEK_SET ? offset : whence === SEEK_CUR ? file.pos + offset : -1;
  if (pos < 0 || pos > MAX_LFS_FILESIZE) return -EINVAL;
  return (file.pos = pos);
}

/** simple_read_from_buffer(): copy from `src` at ppos into buf; bytes copied. */
export function simpleReadFromBuffer(buf: Uint8Array, ppos: Loff, src: Uint8Array): number {
  if (ppos.pos >= src.length) return 0;
  const n = Math.min(buf.length, src.length - ppos.pos);
  buf.set(src.subarray(ppos.pos, ppos.pos + n));
  ppos.pos += n;
  return n;
}
