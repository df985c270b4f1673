// The path and working-directory calls (Linux fs/namei.c: mkdirat,
// unlinkat; fs/open.c: faccessat, faccessat2, chdir, fchdir, truncate,
// fchmod, fchmodat, fchmodat2;
// fs/d_path.c: getcwd; kernel/sys.c: umask) and pipe2 (fs/pipe.c). The
// checks that belong to the VFS are in kernel-ts/fs/namei-ops.ts; these
// handlers copy the arguments in and pick the directory a relative path
// starts from (the task's working directory, or a dirfd's).
import type { Kernel } from '../kernel';
import type { Task } from '../proc/task';
import type { SyscallHandler, SyscallTable } from './table';
import { NR } from './numbers';
import { AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, cwdOf, fileOf, getname, startDir } from './fs';
import type { Inode } from '../fs/inode';
import { doAccess, doChmod, doMkdir, doRmdir, doUnlink, truncatable } from '../fs/namei-ops';
import { LOOKUP_DIRECTORY, LOOKUP_FOLLOW } from '../fs/namei';
import { S_IRWXUGO } from '../fs/fs-struct';
import { O_CLOEXEC, O_NONBLOCK, fput } from '../fs/file';
import { PipeFs } from '../fs/pipe';
import type { PipeKernel } from '../fs/pipe';
import { RLIMIT_NOFILE } from '../resource';
import { sleepOn, wakeUp } from '../proc/sched';
import { sendSignal, signalPending } from '../proc/signal';
import { SIGPIPE, SI_USER, siginfo } from '../proc/signal-defs';
import { USER_UID } from '../proc/creds';
import { EFAULT, EINVAL, ENOENT, ENOTDIR, ERANGE } from '../errno';

/** unlinkat's flag: remove a directory (rmdir). */
export const AT_REMOVEDIR = 0x200;
/** faccessat2's flag: check with the effective ids (the same as the real ones in vmlab). */
export const AT_EACCESS = 0x200;

/** The path at uaddr and the directory it starts from (dirfd, or the working directory for AT_FDCWD); -errno. */
function pathAt(k: Kernel, t: Task, dirfd: number, uaddr: number): { path: string; start: Inode } | number {
  const path = getname(k, t, uaddr);
  if (typeof path === 'number') return path;
  const start = startDir(k, t, dirfd, path);
  if (typeof start === 'number') return start;
  return { path, start };
}

/** mkdirat(dirfd, pathname, mode): the new directory gets mode & ~umask. */
const sysMkdirat: SyscallHandler = (k, t, a) => {
  const p = pathAt(k, t, a.int(0), a.u64(1));
  if (typeof p === 'number') return p;
  return doMkdir(k.vfs.root, p.start, p.path, a.uint(2), t.fs.umask, k.clockNs());
};

/** unlinkat(dirfd, pathname, flags): -EINVAL for flags other than AT_REMOVEDIR (which makes it rmdir). */
const sysUnlinkat: SyscallHandler = (k, t, a) => {
  const flags = a.int(2);
  if (flags & ~AT_REMOVEDIR) return -EINVAL;
  const p = pathAt(k, t, a.int(0), a.u64(1));
  if (typeof p === 'number') return p;
  const now = k.clockNs();
  return flags & AT_REMOVEDIR ? doRmdir(k.vfs.root, p.start, p.path, now) : doUnlink(k.vfs.root, p.start, p.path, now);
};

/**
 * do_faccessat(dirfd, pathname, mode, flags): -EINVAL for unknown flags;
 * AT_EMPTY_PATH with "" checks dirfd's own file.
 */
function faccessat(k: Kernel, t: Task, dirfd: number, uaddr: number, mode: number, flags: number): number {
  if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  if (mode & ~7) return -EINVAL;
  const path = getname(k, t, uaddr);
  if (typeof path === 'number') return path;
  if (path === '' && flags & AT_EMPTY_PATH) {
    if (dirfd === AT_FDCWD) return doAccess(k.vfs.root, cwdOf(k, t), '.', mode, true);
    const file = fileOf(t, dirfd);
    if (typeof file === 'number') return file;
    return doAccess(file.inode, file.inode, '/', mode, true);
  }
  const start = startDir(k, t, dirfd, path);
  if (typeof start === 'number') return start;
  return doAccess(k.vfs.root, start, path, mode, (flags & AT_SYMLINK_NOFOLLOW) === 0);
}

const sysFaccessat: SyscallHandler = (k, t, a) => faccessat(k, t, a.int(0), a.u64(1), a.int(2), 0);
const sysFaccessat2: SyscallHandler = (k, t, a) => faccessat(k, t, a.int(0), a.u64(1), a.int(2), a.int(3));

/** chdir(path): the followed path must be a directory (-ENOTDIR); it becomes fs->pwd. */
const sysChdir: SyscallHandler = (k, t, a) => {
  const path = getname(k, t, a.u64(0));
  if (typeof path === 'number') return path;
  const dir = k.vfs.lookup(path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, cwdOf(k, t));
  if (typeof dir === 'number') return dir;
  t.fs.pwd = dir;
  return 0;
};

/** fchdir(fd): -EBADF, -ENOTDIR unless fd is an open directory. */
const sysFchdir: SyscallHandler = (_k, t, a) => {
  const file = fileOf(t, a.int(0));
  if (typeof file === 'number') return file;
  if (!file.inode.isDir) return -ENOTDIR;
  t.fs.pwd = file.inode;
  return 0;
};

/**
 * getcwd(buf, size): the working directory's path and its NUL, returning
 * the length with the NUL; -ERANGE when size is smaller, -ENOENT when the
 * directory was removed (d_unlinked), -EFAULT.
 */
const sysGetcwd: SyscallHandler = (k, t, a) => {
  const pwd = cwdOf(k, t);
  if (pwd.nlink === 0) return -ENOENT;
  const cwd = new TextEncoder().encode(`${pwd.path}\0`);
  if (a.u64(1) < cwd.length) return -ERANGE;
  return k.mm.copyToUser(t.mm!, a.u64(0), cwd) < 0 ? -EFAULT : cwd.length;
};

/** umask(mask): sets the mask (its 0777 bits) and returns the old one; never fails. */
const sysUmask: SyscallHandler = (_k, t, a) => {
  const old = t.fs.umask;
  t.fs.umask = a.uint(0) & S_IRWXUGO;
  return old;
};

/**
 * truncate(path, length) (do_sys_truncate): -EINVAL for a negative length,
 * lookup's -errno, vfs_truncate's -EISDIR/-EINVAL/-EROFS, -EFBIG.
 */
const sysTruncate: SyscallHandler = (k, t, a) => {
  const length = a.s64(1);
  if (length < 0) return -EINVAL;
  const path = getname(k, t, a.u64(0));
  if (typeof path === 'number') return path;
  const inode = truncatable(k.vfs.root, cwdOf(k, t), path);
  if (typeof inode === 'number') return inode;
  const r = k.vfs.truncate(inode, length);
  if (r < 0) return r;
  inode.mtimeNs = k.clockNs();
  return 0;
};

/**
 * do_fchmodat(dirfd, pathname, mode, flags): -EINVAL for flags other than
 * AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH; with AT_SYMLINK_NOFOLLOW a symlink
 * itself is -EOPNOTSUPP (Linux has no symlink modes); "" with AT_EMPTY_PATH
 * is dirfd's own file.
 */
function fchmodat(k: Kernel, t: Task, dirfd: number, uaddr: number, mode: number, flags: number): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const path = getname(k, t, uaddr);
  if (typeof path === 'number') return path;
  if (path === '' && flags & AT_EMPTY_PATH) {
    if (dirfd === AT_FDCWD) return doChmod(cwdOf(k, t), mode);
    const file = fileOf(t, dirfd);
    return typeof file === 'number' ? file : doChmod(file.inode, mode);
  }
  const start = startDir(k, t, dirfd, path);
  if (typeof start === 'number') return start;
  const inode = k.vfs.lookup(path, flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW, start);
  return typeof inode === 'number' ? inode : doChmod(inode, mode);
}

const sysFchmodat: SyscallHandler = (k, t, a) => fchmodat(k, t, a.int(0), a.u64(1), a.uint(2), 0);
const sysFchmodat2: SyscallHandler = (k, t, a) => fchmodat(k, t, a.int(0), a.u64(1), a.uint(2), a.int(3));

/** fchmod(fd, mode): -EBADF, then chmod_common on the open file's inode. */
const sysFchmod: SyscallHandler = (_k, t, a) => {
  const file = fileOf(t, a.int(0));
  return typeof file === 'number' ? file : doChmod(file.inode, a.uint(1));
};

/** The kernel services a pipe uses: the current task, the wait queues, SIGPIPE. */
function pipeKernel(k: Kernel): PipeKernel {
  return {
    get current(): Task | null {
      return k.current;
    },
    sleep: (t, queue) => sleepOn(t, { kind: 'queue', name: queue }),
    wakeUp,
    sigpipe: (t) => sendSignal(t, siginfo(SIGPIPE, SI_USER, { pid: t.tgid, uid: USER_UID })),
    signalPending,
  };
}

/**
 * pipe2(fds, flags) (do_pipe2): -EINVAL for flags other than O_CLOEXEC and
 * O_NONBLOCK (vmlab has no packet-mode O_DIRECT pipes nor notification
 * pipes); -EMFILE; -EFAULT if fds cannot be written, with both descriptors
 * closed again.
 */
const sysPipe2: SyscallHandler = (k, t, a) => {
  const flags = a.int(1);
  if (flags & ~(O_CLOEXEC | O_NONBLOCK)) return -EINVAL;
  k.vfs.pipefs ??= new PipeFs(pipeKernel(k));
  const { read, write } = k.vfs.pipefs.createPipeFiles(flags);
  const files = t.files;
  const nofile = t.rlim.rlimit(RLIMIT_NOFILE);
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const rfd = files.installFd(read, cloexec, 0, nofile);
  if (rfd < 0) {
    fput(read);
    fput(write);
    return rfd;
  }
  const wfd = files.installFd(write, cloexec, 0, nofile);
  if (wfd < 0) {
    files.close(rfd);
    fput(write);
    return wfd;
  }
  const out = new Uint8Array(8);
  const v = new DataView(out.buffer);
  v.setInt32(0, rfd, true);
  v.setInt32(4, wfd, true);
  if (k.mm.copyToUser(t.mm!, a.u64(0), out) < 0) {
    files.close(rfd);
    files.close(wfd);
    return -EFAULT;
  }
  return 0;
};

export const pathSyscalls: SyscallTable = {
  [NR.mkdirat]: sysMkdirat,
  [NR.unlinkat]: sysUnlinkat,
  [NR.faccessat]: sysFaccessat,
  [NR.faccessat2]: sysFaccessat2,
  [NR.chdir]: sysChdir,
  [NR.fchdir]: sysFchdir,
  [NR.getcwd]: sysGetcwd,
  [NR.umask]: sysUmask,
  [NR.truncate]: sysTruncate,
  [NR.fchmod]: sysFchmod,
  [NR.fchmodat]: sysFchmodat,
  [NR.fchmodat2]: sysFchmodat2,
  [NR.pipe2]: sysPipe2,
};
