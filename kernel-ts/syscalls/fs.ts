// The file system calls (Linux fs/read_write.c, fs/open.c, fs/stat.c,
// fs/ioctl.c, fs/fcntl.c, fs/file.c). Every user pointer goes through
// uaccess: a garbage pointer is -EFAULT, never a crash. Data moves through
// kernel buffers (the driver fills or reads a Uint8Array, uaccess copies),
// or, for drivers written against vmlab/linux, the driver is handed the user
// buffer and does its own copy_to_user/copy_from_user (readUser/writeUser).
import type { Kernel } from '../kernel';
import type { Task } from '../proc/task';
import type { SyscallHandler, SyscallTable } from './table';
import { NR } from './numbers';
import type { File } from '../fs/file';
import { MAX_RW_COUNT, O_APPEND, O_CLOEXEC, O_NONBLOCK, VALID_OPEN_FLAGS, fput, getFile } from '../fs/file';
import { getdents64 } from '../fs/readdir';
import type { FilesStruct } from '../fs/fdtable';
import { RLIMIT_NOFILE } from '../resource';
import type { Inode } from '../fs/inode';
import { LOOKUP_FOLLOW, PATH_MAX } from '../fs/namei';
import { S_IFLNK, encodeStat } from '../fs/stat';
import { encodeStatfs } from '../fs/statfs';
import type { KernelMm } from '../mm/kernel-mm';
import type { MmStruct } from '../mm/mm-struct';
import { accessOk } from '../mm/uaccess';
import type { Vfs } from '../fs/vfs';
import { EBADF, EFAULT, EINVAL, ENOTDIR, ESPIPE, ENOTTY, ENOENT } from '../errno';

/** openat/newfstatat dirfd meaning "the working directory" and the *at flags. */
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_EMPTY_PATH = 0x1000;

/** fcntl commands and the descriptor flag. */
export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_DUPFD_CLOEXEC = 1030;
export const FD_CLOEXEC = 1;

/** IOV_MAX / UIO_MAXIOV, and the riscv64 struct iovec size. */
export const UIO_MAXIOV = 1024;
const IOVEC_SIZE = 16;

/** Regular files move through the kernel in pieces of this size (bounded kernel buffers). */
export const RW_CHUNK = 1 << 20;

// Short names for the kernel's parts this file uses.
const vfsOf = (k: Kernel): Vfs => k.vfs;
const mmOf = (k: Kernel): KernelMm => k.mm;
const filesOf = (t: Task): FilesStruct => t.files;

function userMm(t: Task): MmStruct {
  if (!t.mm) throw new Error(`task ${t.pid} makes a system call without an mm`);
  return t.mm;
}

/** getname(): the path string at uaddr, or -EFAULT / -ENAMETOOLONG. */
export function getname(k: Kernel, t: Task, uaddr: number): string | number {
  return mmOf(k).strncpyFromUser(userMm(t), uaddr, PATH_MAX);
}

// ---- read and write ---------------------------------------------------------

/**
 * A driver's ->read/->write that takes the user buffer (FileOperations
 * readUser/writeUser): one call, as Linux's vfs_read makes; the position
 * moves only when it succeeds.
 */
function userTransfer(op: (file: File, ubuf: number, count: number, ppos: { pos: number }) => number, file: File, ubuf: number, count: number, ppos: { pos: number }): number {
  const pos = { pos: ppos.pos };
  const n = op(file, ubuf, count, pos);
  if (n >= 0) ppos.pos = pos.pos;
  return n;
}

/**
 * vfs_read() at *ppos into user memory, through one kernel buffer of at most
 * RW_CHUNK bytes: ->read is called again while it fills whole chunks, and a
 * short read (EOF, a console line, a driver's record) ends the call. Bytes
 * read, or -errno if nothing was.
 */
function vfsRead(k: Kernel, t: Task, file: File, ubuf: number, count: number, ppos: { pos: number }): number {
  if (!file.readable) return -EBADF;
  const read = file.fop.read;
  const readUser = file.fop.readUser;
  if (!read && !readUser) return -EINVAL;
  count = Math.min(count, MAX_RW_COUNT);
  if (!accessOk(userMm(t), ubuf, count)) return -EFAULT;
  if (readUser) return userTransfer(readUser, file, ubuf, count, ppos);
  if (!read) return -EINVAL;
  const mm = userMm(t);
  // One buffer for the whole call: a 2 GiB read is 2048 chunks, not 2048 allocations.
  const kbuf = new Uint8Array(Math.min(count, RW_CHUNK));
  let done = 0;
  do {
    const want = Math.min(count - done, RW_CHUNK);
    const buf = want === kbuf.length ? kbuf : kbuf.subarray(0, want);
    const pos = { pos: ppos.pos };
    const n = read(file, buf, pos);
    if (n < 0) return done > 0 ? done : n;
    if (n > 0 && mmOf(k).copyToUser(mm, ubuf + done, buf.subarray(0, n)) < 0) return done > 0 ? done : -EFAULT;
    ppos.pos = pos.pos;
    done += n;
    if (n < want) break;
  } while (done < count);
  return done;
}

/**
 * vfs_write() at *ppos from user memory, in RW_CHUNK pieces until a short
 * write; a file that discards writes (/dev/null) takes the count without the
 * data being copied, as Linux's write_null. Bytes written, or -errno if none were.
 */
function vfsWrite(k: Kernel, t: Task, file: File, ubuf: number, count: number, ppos: { pos: number }): number {
  if (!file.writable) return -EBADF;
  const write = file.fop.write;
  const writeUser = file.fop.writeUser;
  if (!write && !writeUser) return -EINVAL;
  count = Math.min(count, MAX_RW_COUNT);
  if (!accessOk(userMm(t), ubuf, count)) return -EFAULT;
  if (file.fop.discardsWrites === true) return count;
  if (writeUser) return userTransfer(writeUser, file, ubuf, count, ppos);
  if (!write) return -EINVAL;
  const mm = userMm(t);
  let done = 0;
  do {
    const want = Math.min(count - done, RW_CHUNK);
    const data = mmOf(k).copyFromUser(mm, ubuf + done, want);
    if (typeof data === 'number') return done > 0 ? done : -EFAULT;
    const pos = { pos: ppos.pos };
    const n = write(file, data, pos);
    if (n < 0) return done > 0 ? done : n;
    ppos.pos = pos.pos;
    done += n;
    if (n < want) break;
  } while (done < count);
  return done;
}

/** Files with a position (a llseek) use and advance f_pos; streams (console, pipes) do not have one. */
const hasPosition = (file: File): boolean => file.fop.llseek !== undefined;

export function fileOf(t: Task, fd: number): File | number {
  return filesOf(t).get(fd) ?? -EBADF;
}

const sysRead: SyscallHandler = (k, t, a) => {
  const file = fileOf(t, a.int(0));
  if (typeof file === 'number') return file;
  const ppos = { pos: file.pos };
  const r = vfsRead(k, t, file, a.u64(1), a.u64(2), ppos);
  if (r >= 0 && hasPosition(file)) file.pos = ppos.pos;
  return r;
};

const sysWrite: SyscallHandler = (k, t, a) => {
  const file = fileOf(t, a.int(0));
  if (typeof file === 'number') return file;
  const ppos = { pos: file.pos };
  const r = vfsWrite(k, t, file, a.u64(1), a.u64(2), ppos);
  if (r >= 0 && hasPosition(file)) file.pos = ppos.pos;
  return r;
};

/** pread64/pwrite64: at an explicit offset, f_pos untouched; -ESPIPE on streams, -EINVAL for a negative offset. */
function positional(op: typeof vfsRead): SyscallHandler {
  return (k, t, a) => {
    const file = fileOf(t, a.int(0));
    if (typeof file === 'number') return file;
    const pos = a.s64(3);
    if (pos < 0) return -EINVAL;
    if (!hasPosition(file)) return -ESPIPE;
    return op(k, t, file, a.u64(1), a.u64(2), { pos });
  };
}

/**
 * readv/writev (do_readv/do_writev): the iovec array is copied in first
 * (-EINVAL for a bad count, -EFAULT for a bad array), then each segment is
 * done in order, stopping at the first short transfer.
 */
function vectored(op: typeof vfsRead): SyscallHandler {
  return (k, t, a) => {
    const file = fileOf(t, a.int(0));
    if (typeof file === 'number') return file;
    const iovcnt = a.int(2);
    if (iovcnt < 0 || iovcnt > UIO_MAXIOV) return -EINVAL;
    if (iovcnt === 0) return 0;
    const raw = mmOf(k).copyFromUser(userMm(t), a.u64(1), iovcnt * IOVEC_SIZE);
    if (typeof raw === 'number') return -EFAULT;
    const v = new DataView(raw.buffer, raw.byteOffset, raw.length);
    const segs: { base: number; len: number }[] = [];
    let total = 0;
    for (let i = 0; i < iovcnt; i++) {
      const base = Number(v.getBigUint64(i * IOVEC_SIZE, true));
      const lenBig = v.getBigUint64(i * IOVEC_SIZE + 8, true);
      // A length that is negative as ssize_t is -EINVAL (import_iovec).
      if (lenBig >= 1n << 63n) return -EINVAL;
      const len = Math.min(Number(lenBig), MAX_RW_COUNT - total);
      total += len;
      segs.push({ base, len });
    }
    const ppos = { pos: file.pos };
    let done = 0;
    for (const s of segs) {
      if (s.len === 0) continue;
      const r = op(k, t, file, s.base, s.len, ppos);
      if (r < 0) {
        if (done === 0) return r;
        break;
      }
      done += r;
      if (r < s.len) break;
    }
    if (hasPosition(file)) file.pos = ppos.pos;
    return done;
  };
}

// ---- open, close, seek --------------------------------------------------------

/** The task's working directory (fs->pwd). */
export function cwdOf(k: Kernel, t: Task): Inode {
  return t.fs.pwd ?? vfsOf(k).root;
}

/** The directory a relative path starts from: the working directory for AT_FDCWD, else dirfd's directory (-EBADF, -ENOTDIR). */
export function startDir(k: Kernel, t: Task, dirfd: number, path: string): Inode | number {
  if (path.startsWith('/')) return vfsOf(k).root;
  if (dirfd === AT_FDCWD) return cwdOf(k, t);
  const file = filesOf(t).get(dirfd);
  if (!file) return -EBADF;
  return file.inode.isDir ? file.inode : -ENOTDIR;
}

const sysOpenat: SyscallHandler = (k, t, a) => {
  const path = getname(k, t, a.u64(1));
  if (typeof path === 'number') return path;
  const flags = a.int(2) & VALID_OPEN_FLAGS; // build_open_how(): unknown bits are dropped, not kept in f_flags
  const start = startDir(k, t, a.int(0), path);
  if (typeof start === 'number') return start;
  const file = vfsOf(k).open(path, flags, a.uint(3) & 0o7777, start, t.fs.umask);
  if (typeof file === 'number') return file;
  const fd = filesOf(t).installFd(file, (flags & O_CLOEXEC) !== 0, 0, t.rlim.rlimit(RLIMIT_NOFILE));
  if (fd < 0) fput(file);
  return fd;
};

const sysClose: SyscallHandler = (_k, t, a) => filesOf(t).close(a.int(0));

const sysLseek: SyscallHandler = (_k, t, a) => {
  const file = fileOf(t, a.int(0));
  if (typeof file === 'number') return file;
  const llseek = file.fop.llseek;
  if (!llseek) return -ESPIPE;
  return llseek(file, a.s64(1), a.int(2));
};

const sysIoctl: SyscallHandler = (_k, t, a) => {
  const file = fileOf(t, a.int(0));
  if (typeof file === 'number') return file;
  const { ioctl, unlockedIoctl } = file.fop;
  if (unlockedIoctl) return unlockedIoctl(file, a.uint(1), a.u64Big(2));
  return ioctl ? ioctl(file, a.uint(1), a.u64(2)) : -ENOTTY;
};

// ---- stat ---------------------------------------------------------------------

/** cp_new_stat() of inode into the user's struct stat. */
function statTo(k: Kernel, t: Task, inode: Inode, ubuf: number): number {
  const st = inode.getattr();
  if (inode.isLink) {
    st.mode = S_IFLNK | 0o777;
    st.size = (inode.iop.getLink?.(inode) ?? inode.symlink ?? '').length;
  }
  return mmOf(k).copyToUser(userMm(t), ubuf, encodeStat(st)) < 0 ? -EFAULT : 0;
}

const sysFstat: SyscallHandler = (k, t, a) => {
  const file = fileOf(t, a.int(0));
  if (typeof file === 'number') return file;
  return statTo(k, t, file.inode, a.u64(1));
};

const sysNewfstatat: SyscallHandler = (k, t, a) => {
  const flags = a.int(3);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const path = getname(k, t, a.u64(1));
  if (typeof path === 'number') return path;
  const dirfd = a.int(0);
  if (path === '' && flags & AT_EMPTY_PATH) {
    if (dirfd === AT_FDCWD) return statTo(k, t, cwdOf(k, t), a.u64(2));
    const file = fileOf(t, dirfd);
    return typeof file === 'number' ? file : statTo(k, t, file.inode, a.u64(2));
  }
  if (path === '') return -ENOENT;
  const start = startDir(k, t, dirfd, path);
  if (typeof start === 'number') return start;
  const inode = vfsOf(k).lookup(path, flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW, start);
  if (typeof inode === 'number') return inode;
  return statTo(k, t, inode, a.u64(2));
};

// ---- descriptors ----------------------------------------------------------------

const sysDup: SyscallHandler = (_k, t, a) => {
  const file = fileOf(t, a.int(0));
  if (typeof file === 'number') return file;
  const fd = filesOf(t).installFd(getFile(file), false, 0, t.rlim.rlimit(RLIMIT_NOFILE));
  if (fd < 0) fput(file);
  return fd;
};

/** dup3(): -EINVAL for oldfd == newfd or flags other than O_CLOEXEC. */
const sysDup3: SyscallHandler = (_k, t, a) => {
  const oldfd = a.int(0);
  const newfd = a.int(1);
  const flags = a.int(2);
  if (flags & ~O_CLOEXEC || oldfd === newfd) return -EINVAL;
  const file = fileOf(t, oldfd);
  if (typeof file === 'number') return file;
  if (newfd < 0 || newfd >= t.rlim.rlimit(RLIMIT_NOFILE)) return -EBADF;
  return filesOf(t).replaceFd(newfd, getFile(file), (flags & O_CLOEXEC) !== 0);
};

const sysFcntl: SyscallHandler = (_k, t, a) => {
  const fd = a.int(0);
  const file = fileOf(t, fd);
  if (typeof file === 'number') return file;
  const files = filesOf(t);
  const arg = a.u64(2);
  switch (a.int(1)) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      const nofile = t.rlim.rlimit(RLIMIT_NOFILE);
      if (arg >= nofile) return -EINVAL;
      const nfd = files.installFd(getFile(file), a.int(1) === F_DUPFD_CLOEXEC, arg, nofile);
      if (nfd < 0) fput(file);
      return nfd;
    }
    case F_GETFD:
      return files.getCloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
      files.setCloexec(fd, (arg & FD_CLOEXEC) !== 0);
      return 0;
    case F_GETFL:
      return file.flags;
    case F_SETFL: {
      // Only O_APPEND and O_NONBLOCK can change (SETFL_MASK, less the async flags).
      const changeable = O_APPEND | O_NONBLOCK;
      file.flags = (file.flags & ~changeable) | (a.int(2) & changeable);
      return 0;
    }
    default:
      return -EINVAL;
  }
};

/**
 * ftruncate() (do_sys_ftruncate): -EINVAL for a negative length (before the
 * descriptor is looked at), -EBADF, -EINVAL unless the file is regular and
 * open for writing, -EFBIG past s_maxbytes. Growing allocates nothing: the
 * new part is a hole until written (shmem_setattr).
 */
const sysFtruncate: SyscallHandler = (k, t, a) => {
  const length = a.s64(1);
  if (length < 0) return -EINVAL;
  const file = fileOf(t, a.int(0));
  if (typeof file === 'number') return file;
  if (!file.inode.isReg || !file.writable) return -EINVAL;
  const r = k.vfs.truncate(file.inode, length);
  if (r < 0) return r;
  file.inode.mtimeNs = k.clockNs();
  return 0;
};

/** statfs of inode's file system into the user's struct statfs: 0 or -EFAULT. */
function statfsTo(k: Kernel, t: Task, inode: Inode, ubuf: number): number {
  return mmOf(k).copyToUser(userMm(t), ubuf, encodeStatfs(vfsOf(k).statfs(inode))) < 0 ? -EFAULT : 0;
}

/** statfs(pathname, buf): the file system the path (followed) is on; lookup's -errno. */
const sysStatfs: SyscallHandler = (k, t, a) => {
  const path = getname(k, t, a.u64(0));
  if (typeof path === 'number') return path;
  const inode = vfsOf(k).lookup(path, LOOKUP_FOLLOW, cwdOf(k, t));
  if (typeof inode === 'number') return inode;
  return statfsTo(k, t, inode, a.u64(1));
};

/** fstatfs(fd, buf). */
const sysFstatfs: SyscallHandler = (k, t, a) => {
  const file = fileOf(t, a.int(0));
  if (typeof file === 'number') return file;
  return statfsTo(k, t, file.inode, a.u64(1));
};

/** getdents64(): linux_dirent64 records of an open directory; -ENOTDIR, -EINVAL (buffer too small), -EFAULT. */
const sysGetdents64: SyscallHandler = (k, t, a) => {
  const file = fileOf(t, a.int(0));
  if (typeof file === 'number') return file;
  if (!file.inode.isDir) return -ENOTDIR;
  const { bytes, next } = getdents64(file.inode, file.pos, a.uint(2));
  if (bytes === null) return -EINVAL;
  if (bytes.length > 0 && mmOf(k).copyToUser(userMm(t), a.u64(1), bytes) < 0) return -EFAULT;
  file.pos = next;
  return bytes.length;
};

export const fsSyscalls: SyscallTable = {
  [NR.read]: sysRead,
  [NR.write]: sysWrite,
  [NR.readv]: vectored(vfsRead),
  [NR.writev]: vectored(vfsWrite),
  [NR.pread64]: positional(vfsRead),
  [NR.pwrite64]: positional(vfsWrite),
  [NR.openat]: sysOpenat,
  [NR.close]: sysClose,
  [NR.lseek]: sysLseek,
  [NR.ioctl]: sysIoctl,
  [NR.fstat]: sysFstat,
  [NR.newfstatat]: sysNewfstatat,
  [NR.dup]: sysDup,
  [NR.dup3]: sysDup3,
  [NR.fcntl]: sysFcntl,
  [NR.ftruncate]: sysFtruncate,
  [NR.statfs]: sysStatfs,
  [NR.fstatfs]: sysFstatfs,
  [NR.getdents64]: sysGetdents64,
};
