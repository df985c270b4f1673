// Process exit and reaping (Linux kernel/exit.c): do_exit releases the mm and
// files, hands the children to init, becomes a zombie and signals the parent
// (exit_notify); wait4 (do_wait) finds a zombie child, reports its status in
// Linux's encoding and releases it (release_task).
//
// Wait status (include/uapi/linux/wait.h, as WEXITSTATUS/WTERMSIG decode it):
//   exit(code)      (code & 0xff) << 8
//   killed by sig   sig              (no 0x80: vmlab never dumps core)
import { ECHILD, EFAULT, EINVAL, ESRCH } from '../errno';
import type { Kernel } from '../kernel';
import { SYSCALL_RESTART } from '../syscalls/table';
import { sleepOn, wakeUp } from './sched';
import { CLD_EXITED, CLD_KILLED, SA_NOCLDWAIT, SIGCHLD, SIG_IGN, siginfo } from './signal-defs';
import { sendSignal } from './signal';
import { USER_UID } from './creds';
import { EXIT_DEAD, EXIT_ZOMBIE, Restart } from './task';
import type { Task } from './task';

export const WNOHANG = 0x00000001;
export const WUNTRACED = 0x00000002;
export const WCONTINUED = 0x00000008;
export const __WNOTHREAD = 0x20000000;
export const __WALL = 0x40000000;
export const __WCLONE = 0x80000000;
const WAIT4_OPTIONS = WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE;

/** sizeof(struct rusage) on 64-bit Linux. */
export const RUSAGE_SIZE = 144;

/** The wait status of exit(code). */
export function exitStatus(code: number): number {
  return (code & 0xff) << 8;
}

/** The shell's view of a wait status: the exit code, or 128 + the killing signal. */
export function shellExitCode(status: number): number {
  return (status & 0x7f) === 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
}

/**
 * do_exit(): `status` in wait-status form. Frees the address space and the
 * descriptors at once (a zombie keeps only its task struct), reparents the
 * children and notifies the parent. A task already dead is left alone.
 */
export function doExit(k: Kernel, t: Task, status: number): void {
  if (!t.isAlive) return;
  if (k.trace.enabled('sched:sched_process_exit')) k.trace.emit('sched:sched_process_exit', `comm=${t.comm} pid=${t.pid} prio=120`);
  t.exitCode = status;
  t.restart = Restart.None;
  k.sched.remove(t);
  if (t.mm !== null) {
    const mm = t.mm;
    t.mm = null;
    k.mm.exitMmap(mm);
  }
  t.files.closeAll();
  t.pending.clear();
  forgetOriginalParent(k, t);
  exitNotify(k, t);
  k.onTaskExit(t);
}

/** The reaper orphans go to: init (pid 1) while it lives, else nobody (they are reaped at exit). */
function childReaper(k: Kernel, exiting: Task): Task | null {
  const init = k.tasks.get(1);
  return init && init !== exiting && init.isAlive ? init : null;
}

/** forget_original_parent(): children move to the reaper; zombies nobody will wait for are released. */
function forgetOriginalParent(k: Kernel, t: Task): void {
  const reaper = childReaper(k, t);
  for (const c of t.children) {
    c.parent = reaper;
    if (reaper) reaper.children.add(c);
    if (c.state === EXIT_ZOMBIE) {
      if (reaper) wakeWaiter(reaper);
      else releaseTask(k, c);
    }
  }
  t.children.clear();
}

/**
 * exit_notify(): becomes a zombie and sends the exit signal to the parent;
 * with no parent, or a parent that ignores SIGCHLD or set SA_NOCLDWAIT, the
 * task is released at once (autoreap).
 */
function exitNotify(k: Kernel, t: Task): void {
  t.state = EXIT_ZOMBIE;
  const p = t.parent;
  if (p === null || !p.isAlive) {
    releaseTask(k, t);
    return;
  }
  const act = p.sighand.action[SIGCHLD]!;
  const autoreap = t.exitSignal === SIGCHLD && (act.handler === SIG_IGN || (act.flags & SA_NOCLDWAIT) !== 0);
  if (t.exitSignal !== 0 && !autoreap) {
    const killed = (t.exitCode & 0x7f) !== 0;
    sendSignal(p, siginfo(t.exitSignal, killed ? CLD_KILLED : CLD_EXITED, {
      pid: t.tgid,
      uid: USER_UID,
      status: killed ? t.exitCode & 0x7f : (t.exitCode >> 8) & 0xff,
    }));
  }
  wakeWaiter(p);
  if (autoreap) releaseTask(k, t);
}

/** __wake_up_parent(): a parent sleeping in wait4 re-checks its children. */
function wakeWaiter(p: Task): void {
  if (p.sleep.kind === 'child') wakeUp(p);
}

/** release_task(): the zombie is gone; its pid is free. */
export function releaseTask(k: Kernel, t: Task): void {
  t.state = EXIT_DEAD;
  t.parent?.children.delete(t);
  k.tasks.delete(t.pid);
}

/**
 * Linux eligible_child(): does child c match wait4's pid argument (-1 any,
 * > 0 that pid, 0 our group, < -1 group -pid) and its options? A "clone"
 * child (exit signal other than SIGCHLD) is waited for only with __WCLONE,
 * the others only without it; __WALL waits for both.
 */
function waitMatches(t: Task, c: Task, pid: number, options: number): boolean {
  if ((options & __WALL) === 0 && (c.exitSignal !== SIGCHLD) !== ((options & __WCLONE) !== 0)) return false;
  if (pid === -1) return true;
  if (pid > 0) return c.pid === pid;
  if (pid === 0) return c.pgid === t.pgid;
  return c.pgid === -pid;
}

/**
 * wait4(pid, wstatus, options, rusage): the pid of a reaped zombie child
 * (its status and rusage written out), 0 with WNOHANG when none has exited,
 * -ECHILD with no matching child; otherwise the caller sleeps until a child
 * exits (SYSCALL_RESTART: the call is made again when woken).
 */
export function doWait4(k: Kernel, t: Task, pid: number, wstatus: number, options: number, rusage: number): number {
  if ((options & ~WAIT4_OPTIONS) !== 0) return -EINVAL;
  // kernel_wait4(): "-INT_MIN is not defined" as a process group.
  if (pid === -2147483648) return -ESRCH;
  let any = false;
  for (const c of t.children) {
    if (!waitMatches(t, c, pid, options)) continue;
    any = true;
    if (c.state !== EXIT_ZOMBIE) continue;
    releaseTask(k, c);
    if (t.mm !== null) {
      if (wstatus !== 0 && k.mm.putUser32(t.mm, wstatus, c.exitCode) < 0) return -EFAULT;
      if (rusage !== 0 && k.mm.copyToUser(t.mm, rusage, encodeRusage(c)) < 0) return -EFAULT;
    }
    return c.pid;
  }
  if (!any) return -ECHILD;
  if ((options & WNOHANG) !== 0) return 0;
  sleepOn(t, { kind: 'child' });
  return SYSCALL_RESTART;
}

/** struct rusage of a reaped child: user and system time, minor and major faults; the rest 0. */
export function encodeRusage(c: Task): Uint8Array {
  const b = new Uint8Array(RUSAGE_SIZE);
  const dv = new DataView(b.buffer);
  const timeval = (off: number, ns: number): void => {
    const us = Math.floor(ns / 1000);
    dv.setBigInt64(off, BigInt(Math.floor(us / 1e6)), true);
    dv.setBigInt64(off + 8, BigInt(us % 1e6), true);
  };
  timeval(0, c.utimeNs);
  timeval(16, c.stimeNs);
  // ru_maxrss@32 ... ru_minflt@64, ru_majflt@72.
  dv.setBigInt64(64, BigInt(c.minFlt), true);
  dv.setBigInt64(72, BigInt(c.majFlt), true);
  return b;
}
