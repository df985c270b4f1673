// The process system calls: identity, fork/exec/exit/wait, signals, yield,
// randomness and uname. Each handler returns a value or -errno (Linux's
// numbers); the sleeping ones return SYSCALL_RESTART, the ones that set the
// registers themselves SYSCALL_NORETURN (table.ts).
import { EFAULT, EINVAL, ESRCH } from '../errno';
import type { Kernel } from '../kernel';
import { USER_GID, USER_UID } from '../proc/creds';
import { sysExecve } from '../proc/execve';
import { doExit, doWait4, exitStatus } from '../proc/exit';
import { cloneArgs, kernelClone } from '../proc/fork';
import { sleepOn } from '../proc/sched';
import { sendSignal, sysRtSigreturn } from '../proc/signal';
import {
  NSIG, SA_NOCLDSTOP, SA_NOCLDWAIT, SA_NODEFER, SA_ONSTACK, SA_RESETHAND, SA_RESTART, SA_SIGINFO, SIGKILL, SIGSTOP,
  SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK, SI_USER, UNBLOCKABLE, sigmask, siginfo,
} from '../proc/signal-defs';
import { sigHandlerIgnored } from '../proc/signal';
import { Restart } from '../proc/task';
import type { Task } from '../proc/task';
import { encodeUtsname } from '../proc/uts';
import type { SyscallArgs } from './args';
import { NR } from './numbers';
import { SYSCALL_NORETURN, SYSCALL_RESTART } from './table';
import type { SyscallTable } from './table';
import { TWO32 } from '../../emu/machine/cpu/int64';

/** sizeof(sigset_t) on riscv64. */
export const SIGSET_SIZE = 8;
/** struct sigaction on riscv64: sa_handler, sa_flags, sa_mask (no sa_restorer). */
export const SIGACTION_SIZE = 24;
/** sa_flags bits sigaction keeps (Linux UAPI_SA_FLAGS; SA_EXPOSE_TAGBITS = 0x800). Others are cleared. */
export const UAPI_SA_FLAGS = SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND | 0x800;
/** si_code of tgkill (SI_TKILL). */
export const SI_TKILL = -6;

/** getrandom flags. */
export const GRND_NONBLOCK = 0x1;
export const GRND_RANDOM = 0x2;
export const GRND_INSECURE = 0x4;
/** Linux MAX_RW_COUNT: one getrandom returns at most this many bytes. */
const MAX_RW_COUNT = 0x7ffff000;

function u64le(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}

// ---- exit, fork, exec, wait -----------------------------------------------

/** exit / exit_group (one thread per process, so the same): never returns. */
function sysExit(k: Kernel, t: Task, a: SyscallArgs): number {
  doExit(k, t, exitStatus(a.int(0)));
  return SYSCALL_NORETURN;
}

/** clone(flags, newsp, parent_tid, tls, child_tid) as fork (riscv's argument order; fork.ts cloneArgs unpacks them). */
function sysClone(k: Kernel, t: Task, a: SyscallArgs): number {
  return kernelClone(k, t, cloneArgs(a.half));
}

function sysExecveHandler(k: Kernel, t: Task, a: SyscallArgs): number {
  const r = sysExecve(k, t, a.u64(0), a.u64(1), a.u64(2));
  return r < 0 ? r : SYSCALL_NORETURN;
}

function sysWait4(k: Kernel, t: Task, a: SyscallArgs): number {
  return doWait4(k, t, a.int(0), a.u64(1), a.int(2), a.u64(3));
}

// ---- identity ---------------------------------------------------------------

const sysGetpid = (_k: Kernel, t: Task): number => t.tgid;
const sysGettid = (_k: Kernel, t: Task): number => t.pid;
const sysGetppid = (_k: Kernel, t: Task): number => t.ppid;
const sysGetuid = (): number => USER_UID;
const sysGetgid = (): number => USER_GID;

/** set_tid_address(tidptr): remembers the pointer, returns the tid. */
function sysSetTidAddress(_k: Kernel, t: Task, a: SyscallArgs): number {
  t.clearChildTid = a.u64(0);
  return t.pid;
}

function sysUname(k: Kernel, t: Task, a: SyscallArgs): number {
  return k.mm.copyToUser(t.mm!, a.u64(0), encodeUtsname()) < 0 ? -EFAULT : 0;
}

// ---- signals ----------------------------------------------------------------

/** kill(pid, sig): pid > 0 one process, 0 the caller's group, -1 everyone but init and the caller, < -1 group -pid. */
function sysKill(k: Kernel, t: Task, a: SyscallArgs): number {
  const pid = a.int(0);
  const sig = a.int(1);
  if (sig < 0 || sig > NSIG) return -EINVAL;
  const info = siginfo(sig, SI_USER, { pid: t.tgid, uid: USER_UID });
  if (pid > 0) {
    const target = k.tasks.get(pid);
    if (!target) return -ESRCH;
    if (sig !== 0) sendSignal(target, info);
    return 0;
  }
  const group = pid === 0 ? t.pgid : -pid;
  let found = false;
  for (const target of k.tasks.values()) {
    const hit = pid === -1 ? target.pid !== 1 && target !== t : target.pgid === group;
    if (!hit) continue;
    found = true;
    if (sig !== 0) sendSignal(target, info);
  }
  return found ? 0 : -ESRCH;
}

/** tgkill(tgid, tid, sig): raise() and abort() use it. */
function sysTgkill(k: Kernel, t: Task, a: SyscallArgs): number {
  const tgid = a.int(0), tid = a.int(1), sig = a.int(2);
  if (tgid <= 0 || tid <= 0 || sig < 0 || sig > NSIG) return -EINVAL;
  const target = k.tasks.get(tid);
  if (!target || target.tgid !== tgid) return -ESRCH;
  if (sig !== 0) sendSignal(target, siginfo(sig, SI_TKILL, { pid: t.tgid, uid: USER_UID }));
  return 0;
}

/**
 * rt_sigaction(sig, act, oact, sigsetsize): -EINVAL for a bad size or
 * signal or for changing SIGKILL/SIGSTOP; -EFAULT for an unreadable act or
 * unwritable oact. Setting SIG_IGN (or SIG_DFL of an ignored-by-default
 * signal) discards it if pending, as Linux's do_sigaction does.
 */
function sysRtSigaction(k: Kernel, t: Task, a: SyscallArgs): number {
  const sig = a.int(0), uact = a.u64(1), uoact = a.u64(2);
  if (a.u64(3) !== SIGSET_SIZE) return -EINVAL;
  if (sig < 1 || sig > NSIG) return -EINVAL;
  const mm = t.mm!;
  let next: { handler: number; flags: number; mask: bigint } | null = null;
  if (uact !== 0) {
    if (sig === SIGKILL || sig === SIGSTOP) return -EINVAL;
    const b = k.mm.copyFromUser(mm, uact, SIGACTION_SIZE);
    if (typeof b === 'number') return -EFAULT;
    const dv = new DataView(b.buffer, b.byteOffset, SIGACTION_SIZE);
    next = {
      handler: dv.getUint32(4, true) * TWO32 + dv.getUint32(0, true),
      flags: dv.getUint32(8, true) & UAPI_SA_FLAGS,
      mask: dv.getBigUint64(16, true) & ~UNBLOCKABLE,
    };
  }
  const old = t.sighand.action[sig]!;
  if (next !== null) {
    t.sighand.action[sig] = next;
    if (sigHandlerIgnored(t, sig) && (t.pending.signal & sigmask(sig)) !== 0n) {
      t.pending.signal &= ~sigmask(sig);
      t.pending.info.delete(sig);
    }
  }
  if (uoact !== 0) {
    const b = new Uint8Array(SIGACTION_SIZE);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, BigInt(old.handler), true);
    dv.setBigUint64(8, BigInt(old.flags >>> 0), true);
    dv.setBigUint64(16, old.mask, true);
    if (k.mm.copyToUser(mm, uoact, b) < 0) return -EFAULT;
  }
  return 0;
}

/** rt_sigprocmask(how, set, oset, sigsetsize). */
function sysRtSigprocmask(k: Kernel, t: Task, a: SyscallArgs): number {
  const how = a.int(0), uset = a.u64(1), uoset = a.u64(2);
  if (a.u64(3) !== SIGSET_SIZE) return -EINVAL;
  const mm = t.mm!;
  const old = t.blocked;
  if (uset !== 0) {
    const b = k.mm.copyFromUser(mm, uset, SIGSET_SIZE);
    if (typeof b === 'number') return -EFAULT;
    const set = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true) & ~UNBLOCKABLE;
    switch (how) {
      case SIG_BLOCK: t.blocked = old | set; break;
      case SIG_UNBLOCK: t.blocked = old & ~set; break;
      case SIG_SETMASK: t.blocked = set; break;
      default: return -EINVAL;
    }
  }
  if (uoset !== 0 && k.mm.copyToUser(mm, uoset, u64le(old)) < 0) return -EFAULT;
  return 0;
}

/**
 * rt_sigsuspend(mask, sigsetsize): sleeps with `mask` blocked until a signal
 * is delivered; always -EINTR (the handler runs first, with the old mask
 * saved in its frame so sigreturn restores it).
 */
function sysRtSigsuspend(k: Kernel, t: Task, a: SyscallArgs): number {
  if (a.u64(1) !== SIGSET_SIZE) return -EINVAL;
  const b = k.mm.copyFromUser(t.mm!, a.u64(0), SIGSET_SIZE);
  if (typeof b === 'number') return -EFAULT;
  if (t.savedSigmask === null) t.savedSigmask = t.blocked;
  t.blocked = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true) & ~UNBLOCKABLE;
  sleepOn(t, { kind: 'signal' });
  t.restart = Restart.Block;
  return SYSCALL_RESTART;
}

/** rt_sigpending(set, sigsetsize): the pending signals that are blocked. */
function sysRtSigpending(k: Kernel, t: Task, a: SyscallArgs): number {
  if (a.u64(1) > SIGSET_SIZE) return -EINVAL;
  const set = u64le(t.pending.signal & t.blocked).subarray(0, a.u64(1));
  return k.mm.copyToUser(t.mm!, a.u64(0), set) < 0 ? -EFAULT : 0;
}

function sysRtSigreturnHandler(k: Kernel, t: Task): number {
  sysRtSigreturn(k, t);
  return SYSCALL_NORETURN;
}

// ---- time, scheduling, randomness -------------------------------------------

/** sched_yield: 0, and the slice ends so the next runnable task goes. */
function sysSchedYield(k: Kernel): number {
  k.needResched = true;
  return 0;
}

/** getrandom(buf, count, flags): bytes from the seeded kernel generator; never blocks. */
function sysGetrandom(k: Kernel, t: Task, a: SyscallArgs): number {
  const flags = a.uint(2);
  if ((flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) !== 0) return -EINVAL;
  if ((flags & (GRND_RANDOM | GRND_INSECURE)) === (GRND_RANDOM | GRND_INSECURE)) return -EINVAL;
  const count = Math.min(a.u64(1), MAX_RW_COUNT);
  const buf = a.u64(0);
  const CHUNK = 4096;
  const chunk = new Uint8Array(CHUNK);
  let done = 0;
  while (done < count) {
    const n = Math.min(CHUNK, count - done);
    const bytes = n === CHUNK ? chunk : chunk.subarray(0, n);
    k.random.fill(bytes);
    if (k.mm.copyToUser(t.mm!, buf + done, bytes) < 0) return done > 0 ? done : -EFAULT;
    done += n;
  }
  return done;
}

export const procSyscalls: SyscallTable = {
  [NR.exit]: sysExit,
  [NR.exit_group]: sysExit,
  [NR.set_tid_address]: sysSetTidAddress,
  [NR.sched_yield]: sysSchedYield,
  [NR.kill]: sysKill,
  [NR.tgkill]: sysTgkill,
  [NR.rt_sigaction]: sysRtSigaction,
  [NR.rt_sigprocmask]: sysRtSigprocmask,
  [NR.rt_sigreturn]: sysRtSigreturnHandler,
  [NR.rt_sigsuspend]: sysRtSigsuspend,
  [NR.rt_sigpending]: sysRtSigpending,
  [NR.uname]: sysUname,
  [NR.getpid]: sysGetpid,
  [NR.getppid]: sysGetppid,
  [NR.getuid]: sysGetuid,
  [NR.geteuid]: sysGetuid,
  [NR.getgid]: sysGetgid,
  [NR.getegid]: sysGetgid,
  [NR.gettid]: sysGettid,
  [NR.clone]: sysClone,
  [NR.execve]: sysExecveHandler,
  [NR.wait4]: sysWait4,
  [NR.getrandom]: sysGetrandom,
};
