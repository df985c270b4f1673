// execve (Linux fs/exec.c do_execveat_common, begin_new_exec): open the
// file, build the new image (exec.ts), and only then replace the task's: the
// old mm goes, close-on-exec descriptors close, caught signals reset to
// SIG_DFL, registers start from zero with pc at the entry and sp at argc.
import { E2BIG, EFAULT, ENAMETOOLONG, ENOENT } from '../errno';
import type { Kernel } from '../kernel';
import type { ExecInode } from './deps';
import { MAX_ARG_STRLEN, loadElf } from './exec';
import { fput } from '../fs/file';
import { KERN_WARNING } from '../printk';
import { TASK_COMM_LEN } from './task';
import type { Task } from './task';

/** PATH_MAX, including the NUL. */
export const PATH_MAX = 4096;
/** MAX_ARG_STRINGS. */
export const MAX_ARG_STRINGS = 0x7fffffff;

const REG_SP = 2;

/** open_exec(): the executable's inode and a release of the open file, or -errno (-ENOENT, -EACCES...). */
function openExec(k: Kernel, path: string): { inode: ExecInode; release: () => void } | number {
  const ex = k.vfs.openExec(path);
  if (typeof ex === 'number') return ex;
  return { inode: ex.inode, release: () => fput(ex.file) };
}

/** Replaces t's image with the program at path: 0 or -errno (t unchanged on failure). */
export function execTask(k: Kernel, t: Task, path: string, argv: readonly string[], envp: readonly string[]): number {
  if (argv.length === 0) {
    // Linux 5.18+: a program never starts with argc == 0 (CVE-2021-4034).
    k.printk.log(`process '${t.comm}' launched '${path}' with NULL argv: empty string added`, KERN_WARNING);
    argv = [''];
  }
  const ex = openExec(k, path);
  if (typeof ex === 'number') return ex;
  const img = loadElf(k, ex.inode, path, argv, envp);
  ex.release();
  if (typeof img === 'number') return img;
  // The point of no return (begin_new_exec).
  const old = t.mm;
  t.mm = img.mm;
  if (old !== null) k.mm.exitMmap(old);
  t.files.closeOnExec();
  t.sighand.flushHandlers();
  t.comm = path.slice(path.lastIndexOf('/') + 1).slice(0, TASK_COMM_LEN - 1);
  t.clearChildTid = 0;
  t.regs.fill(0);
  t.pc = img.entry;
  t.setReg(REG_SP, img.sp);
  t.startNs = k.clockNs();
  k.trace.emit('sched:sched_process_exec', `filename=${path} pid=${t.pid} old_pid=${t.pid}`);
  return 0;
}

/** Reads a NULL-terminated array of string pointers (argv or envp) from user memory. */
function readStrings(k: Kernel, t: Task, uaddr: number): string[] | number {
  const out: string[] = [];
  if (uaddr === 0) return out; // Linux accepts NULL argv/envp as empty (with a warning)
  const mm = t.mm!;
  for (let i = 0; ; i++) {
    if (i >= MAX_ARG_STRINGS) return -E2BIG;
    const p = k.mm.getUserPtr(mm, uaddr + 8 * i);
    if (p < 0) return -EFAULT;
    if (p === 0) return out;
    const s = k.mm.strncpyFromUser(mm, p, MAX_ARG_STRLEN);
    if (typeof s === 'number') return s;
    if (Buffer.byteLength(s) >= MAX_ARG_STRLEN) return -E2BIG;
    out.push(s);
  }
}

/** execve(path, argv, envp) from user space: SYSCALL_NORETURN's 0 on success, or -errno. */
export function sysExecve(k: Kernel, t: Task, upath: number, uargv: number, uenvp: number): number {
  if (t.mm === null) return -EFAULT;
  const path = k.mm.strncpyFromUser(t.mm, upath, PATH_MAX);
  if (typeof path === 'number') return path;
  if (Buffer.byteLength(path) >= PATH_MAX) return -ENAMETOOLONG;
  if (path.length === 0) return -ENOENT;
  const argv = readStrings(k, t, uargv);
  if (typeof argv === 'number') return argv;
  const envp = readStrings(k, t, uenvp);
  if (typeof envp === 'number') return envp;
  return execTask(k, t, path, argv, envp);
}
