// execve (Linux fs/exec.c do_execveat_common, begin_new_exec): open the
// file, copy the arguments (bprm.ts), build the new image (exec.ts), and only
// then replace the task's: the old mm goes, close-on-exec descriptors close,
// caught signals reset to SIG_DFL, registers start from zero with pc at the
// entry and sp at argc. A segment below vm.mmap_min_addr is the exception:
// Linux finds it past the point of no return, so the task dies of SIGSEGV
// (refuseLowSegment).
import { EFAULT, ENAMETOOLONG, ENOENT, ENOMEM, EPERM } from '../errno';
import type { Kernel } from '../kernel';
import type { ExecInode } from './deps';
import { checkExec, findLowSegment, loadElf, lowSegmentText } from './exec';
import type { ExecImage, LowSegment } from './exec';
import { readExecHeader } from './binfmt';
import { forceSigsegv } from './signal';
import { copyArgStrings, kernelArgStrings } from './bprm';
import type { ArgStrings } from './bprm';
import { fput } from '../fs/file';
import { KERN_ERR, KERN_WARNING } from '../printk';
import { TASK_COMM_LEN } from './task';
import type { Task } from './task';

/** PATH_MAX, including the NUL. */
export const PATH_MAX = 4096;

const REG_SP = 2;

/** An executable opened for exec: its inode, and the release of the open file. */
interface OpenExec {
  inode: ExecInode;
  release: () => void;
}

/** open_exec(): the executable (a relative path from t's working directory), or -errno (-ENOENT, -EACCES...). */
function openExec(k: Kernel, path: string, t: Task | null = null): OpenExec | number {
  const ex = k.vfs.openExec(path, t?.fs.pwd ?? k.vfs.root);
  if (typeof ex === 'number') return ex;
  return { inode: ex.inode, release: () => fput(ex.file) };
}

/**
 * Linux bprm_execve() through begin_new_exec(): replaces t's image with the
 * program open in ex, started with the strings in a. 0 or -errno (t unchanged
 * on failure, except for findLowSegment's -EPERM: see refuseLowSegment).
 */
function bprmExecve(k: Kernel, t: Task, path: string, ex: OpenExec, a: ArgStrings): number {
  let img: ExecImage | number;
  try {
    const hdr = checkExec(ex.inode, path, a.argv, a.envp);
    if (typeof hdr === 'number') return hdr;
    const low = findLowSegment(hdr, k.mm.mmapMinAddr);
    if (low !== null) return refuseLowSegment(k, t, path, low);
    img = loadElf(k, ex.inode, hdr, path, a.argv, a.envp, t.rlim);
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

/** Linux's warning for a program started with argc == 0 (CVE-2021-4034). */
function nullArgvWarning(k: Kernel, t: Task, path: string): () => void {
  return () => k.printk.log(`process '${t.comm}' launched '${path}' with NULL argv: empty string added`, KERN_WARNING);
}

/** Replaces t's image with the program at path, given its strings (the host's spawn): 0 or -errno (t unchanged on failure). */
export function execTask(k: Kernel, t: Task, path: string, argv: readonly string[], envp: readonly string[]): number {
  const ex = openExec(k, path, t);
  if (typeof ex === 'number') return ex;
  const a = kernelArgStrings(path, argv, envp, nullArgvWarning(k, t, path));
  if (typeof a === 'number') {
    ex.release();
    return a;
  }
  return bprmExecve(k, t, path, ex, a);
}

/**
 * execve(path, argv, envp) from user space (do_execveat_common): the path,
 * the file opened, then the arguments copied within ARG_MAX (bprm.ts).
 * SYSCALL_NORETURN's 0 on success, or -errno.
 */
export function sysExecve(k: Kernel, t: Task, upath: number, uargv: number, uenvp: number): number {
  if (t.mm === null) return -EFAULT;
  const path = k.mm.strncpyFromUser(t.mm, upath, PATH_MAX);
  if (typeof path === 'number') return path;
  if (new TextEncoder().encode(path).length >= PATH_MAX) return -ENAMETOOLONG;
  if (path.length === 0) return -ENOENT;
  const ex = openExec(k, path, t);
  if (typeof ex === 'number') return ex;
  const a = copyArgStrings(k.mm, t.mm, path, uargv, uenvp, nullArgvWarning(k, t, path));
  if (typeof a === 'number') {
    ex.release();
    return a;
  }
  return bprmExecve(k, t, path, ex, a);
}
