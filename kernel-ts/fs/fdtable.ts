// The per-process descriptor table (Linux struct files_struct and its fdtable,
// fs/file.c): fd -> open File, plus the close-on-exec bits. New descriptors get
// the lowest free number (alloc_fd) below the end the caller passes: the
// task's RLIMIT_NOFILE soft limit (its default, INR_OPEN_CUR, is 1024).
import type { File } from './file';
import { fput, getFile } from './file';
import { EBADF, EMFILE } from '../errno';
import { INR_OPEN_CUR, NR_OPEN } from '../resource';

export class FilesStruct {
  private readonly fd: (File | null)[] = [];
  private readonly closeOnExecBits: boolean[] = [];
  /** next_fd: no descriptor below this is free (a search hint, as in Linux). */
  private nextFd = 0;

  /**
   * alloc_fd() + fd_install(): the lowest free descriptor in [minFd, end) now
   * refers to file (the caller's reference); -EMFILE when there is none. `end`
   * is rlimit(RLIMIT_NOFILE) of the task.
   */
  installFd(file: File, cloexec: boolean, minFd = 0, end = INR_OPEN_CUR): number {
    let fd = Math.max(minFd, this.nextFd);
    while (fd < this.fd.length && this.fd[fd]) fd++;
    if (fd >= end) return -EMFILE;
    while (this.fd.length < fd) this.fd.push(null);
    this.fd[fd] = file;
    this.closeOnExecBits[fd] = cloexec;
    if (minFd <= this.nextFd) this.nextFd = fd + 1;
    return fd;
  }

  /**
   * Puts file at exactly fd (dup2/dup3), closing what was there. -EBADF if fd
   * is negative or not below fs.nr_open (the caller checks RLIMIT_NOFILE).
   */
  replaceFd(fd: number, file: File, cloexec: boolean): number {
    if (!Number.isInteger(fd) || fd < 0 || fd >= NR_OPEN) return -EBADF;
    const old = this.fd[fd] ?? null;
    while (this.fd.length < fd) this.fd.push(null);
    this.fd[fd] = file;
    this.closeOnExecBits[fd] = cloexec;
    if (old) fput(old);
    return fd;
  }

  /** fdget(): the open file, or null for a closed or out-of-range descriptor. */
  get(fd: number): File | null {
    return Number.isInteger(fd) && fd >= 0 ? (this.fd[fd] ?? null) : null;
  }

  /** close_fd(): 0 or -EBADF. */
  close(fd: number): number {
    const file = this.get(fd);
    if (!file) return -EBADF;
    this.fd[fd] = null;
    this.closeOnExecBits[fd] = false;
    if (fd < this.nextFd) this.nextFd = fd;
    fput(file);
    return 0;
  }

  getCloexec(fd: number): boolean {
    return this.closeOnExecBits[fd] === true;
  }

  setCloexec(fd: number, on: boolean): void {
    if (this.get(fd)) this.closeOnExecBits[fd] = on;
  }

  /** dup_fd() for fork: same open files (shared positions), same close-on-exec bits. */
  dupForFork(): FilesStruct {
    const copy = new FilesStruct();
    for (let i = 0; i < this.fd.length; i++) {
      const f = this.fd[i];
      copy.fd.push(f ? getFile(f) : null);
      copy.closeOnExecBits.push(this.closeOnExecBits[i] === true);
    }
    copy.nextFd = this.nextFd;
    return copy;
  }

  /** do_close_on_exec(): execve closes every descriptor marked O_CLOEXEC / FD_CLOEXEC. */
  closeOnExec(): void {
    for (let i = 0; i < this.fd.length; i++) if (this.fd[i] && this.closeOnExecBits[i]) this.close(i);
  }

  /** exit_files(): closes everything. */
  closeAll(): void {
    for (let i = 0; i < this.fd.length; i++) if (this.fd[i]) this.close(i);
    this.fd.length = 0;
    this.closeOnExecBits.length = 0;
    this.nextFd = 0;
  }

  /** Open descriptors, lowest first (for /proc/PID/fd-like views and tests). */
  openFds(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.fd.length; i++) if (this.fd[i]) out.push(i);
    return out;
  }
}
