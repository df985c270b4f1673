// execve (Linux fs/exec.c do_execveat_common, begin_new_exec): open the
// file, build the new image (exec.ts), and only then replace the task's: the
// old mm goes, close-on-exec descriptors close, caught signals reset to
// SIG_DFL, registers start from zero with pc at the entry and sp at argc.
// A segment below vm.mmap_min_addr is the exception: Linux finds it past the
// point of no return, so the task dies of SIGSEGV (refuseLowSegment).
import { E2BIG, EFAULT, ENAMETOOLONG, ENOENT, ENOMEM, EPERM } from '../errno';
import type { Kernel } from '../kernel';
import type { ExecInode } from './deps';
import { MAX_ARG_STRLEN, checkExec, findLowSegment, loadElf, lowSegmentText } from './exec';
import type { ExecImage, LowSegment } from './exec';
import { readExecHeader } from './binfmt';
import { forceSigsegv } from './signal';
import { fput } from '../fs/file';
import { KERN_ERR, KERN_WARNING } from '../printk';
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

/** Replaces t's image with the program at path: 0 or -errno (t unchanged on failure, except for findLowSegment's -EPERM: see refuseLowSegment). */
export function execTask(k: Kernel, t: Task, path: string, argv: readonly string[], envp: readonly string[]): number {
  if (argv.length === 0) {
    // Linux 5.18+: a program never starts with argc == 0 (CVE-2021-4034).
    k.printk.log(`process '${t.comm}' launched '${path}' with NULL argv: empty string added`, KERN_WARNING);
    argv = [''];
  }
  const ex = openExec(k, path);
  if (typeof ex === 'number') return ex;
  let img: ExecImage | number;
  try {
    const hdr = checkExec(ex.inode, path, argv, envp);
    if (typeof hdr === 'number') return hdr;
    const low = findLowSegment(hdr, k.mm.mmapMinAddr);
    if (low !== null) return refuseLowSegment(k, t, path, low);
    img = loadElf(k, ex.inode, hdr, path, argv, envp, t.rlim);
  } finally {
    ex.release();
  }
  if (typeof img === 'number') return img;
  beginNewExec(k, t, img.mm, path);
  t.clearChildTid = 0;
  t.regs.fill(0);
  t.pc = img.entry;
  t.setReg(REG_SP, img.sp);
  t.startNs = k.clockNs();
  k.trace.emit('sched:sched_process_exec', `filename=${path} pid=${t.pid} old_pid=${t.pid}`);
  return 0;
}

/**
 * begin_new_exec() + setup_new_exec(), the point of no return: the old mm
 * goes, close-on-exec descriptors close, caught signals reset to SIG_DFL,
 * comm becomes the file's name.
 */
function beginNewExec(k: Kernel, t: Task, mm: NonNullable<Task['mm']>, path: string): void {
  const old = t.mm;
  t.mm = mm;
  if (old !== null) k.mm.exitMmap(old);
  t.files.closeOnExec();
  t.sighand.flushHandlers();
  t.comm = path.slice(path.lastIndexOf('/') + 1).slice(0, TASK_COMM_LEN - 1);
}

/**
 * A PT_LOAD below vm.mmap_min_addr. Linux's elf_map meets it after
 * begin_new_exec, so the old image is gone and bprm_execve kills the task
 * with SIGSEGV (force_fatal_sig), silently; vmlab does the same (with an
 * empty mm: nothing of the new image is mapped) and says why in the kernel
 * log. A task with no image yet (the host's spawn) has nothing to lose: its
 * exec fails with -EPERM, and execFailureText gives the host the reason.
 */
function refuseLowSegment(k: Kernel, t: Task, path: string, low: LowSegment): number {
  if (t.mm === null) return -EPERM;
  const mm = k.mm.mmCreate();
  if (mm === null) return -ENOMEM; // bprm_mm_init(), before the point of no return
  k.printk.log(`${t.comm}[${t.pid}]: execve ${path}: ${lowSegmentText(low)}; killed by SIGSEGV`, KERN_ERR);
  beginNewExec(k, t, mm, path);
  forceSigsegv(t);
  return -EPERM;
}

/**
 * Why exec of `path` failed with `err`, as one line, when vm.mmap_min_addr
 * is the reason (the file is read again, as bash reads a script's #! line
 * to explain a failed exec); null otherwise.
 */
export function execFailureText(k: Kernel, path: string, err: number): string | null {
  if (err !== -EPERM) return null;
  const ex = openExec(k, path);
  if (typeof ex === 'number') return null;
  try {
    const hdr = readExecHeader(ex.inode);
    const low = typeof hdr === 'number' ? null : findLowSegment(hdr, k.mm.mmapMinAddr);
    return low === null ? null : lowSegmentText(low);
  } finally {
    ex.release();
  }
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
