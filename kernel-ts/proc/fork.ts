// fork (Linux kernel/fork.c kernel_clone/copy_process) for clone(2) used as
// fork: a new process with a copy-on-write copy of the address space
// (dup_mmap), the descriptor table and signal actions copied, the parent's
// registers with a0 = 0 and pc past the ecall.
//
// Supported clone flags: the exit signal (CSIGNAL), CLONE_PARENT_SETTID,
// CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID (glibc's fork passes the last two)
// and CLONE_SETTLS. Everything that makes a thread or shares state
// (CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND, CLONE_THREAD, CLONE_VFORK,
// namespaces...) is -EINVAL: vmlab has processes, not threads.
import { EAGAIN, EINVAL, EFAULT, ENOMEM } from '../errno';
import { RLIMIT_NPROC } from '../resource';
import type { Kernel } from '../kernel';
import { advancePc } from './signal';
import { NSIG } from './signal-defs';
import { Task } from './task';
import { TWO32 } from '../../emu/machine/cpu/int64';

export const CSIGNAL = 0x000000ff;
export const CLONE_VM = 0x00000100;
export const CLONE_VFORK = 0x00004000;
export const CLONE_SETTLS = 0x00080000;
export const CLONE_PARENT_SETTID = 0x00100000;
export const CLONE_CHILD_CLEARTID = 0x00200000;
export const CLONE_CHILD_SETTID = 0x01000000;
const SUPPORTED = CSIGNAL | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID;

const REG_SP = 2;
const REG_TP = 4;
const REG_A0 = 10;

/** Linux struct kernel_clone_args, the part vmlab uses. */
export interface CloneArgs {
  /** The clone flags, CSIGNAL excluded (a uint32). */
  flags: number;
  /** The signal the parent gets when the child exits (0..255). */
  exitSignal: number;
  /** The child's sp (0: the parent's) and, with CLONE_SETTLS, its tp: any 64-bit value, as lo/hi halves. */
  newspLo: number;
  newspHi: number;
  tlsLo: number;
  tlsHi: number;
  parentTid: number;
  childTid: number;
}

/**
 * clone(2)'s arguments as Linux's SYSCALL_DEFINE5(clone) unpacks them: only
 * the low 32 bits of the flags word count (lower_32_bits(clone_flags); the
 * high half, where clone3-only flags live, is ignored), and its low byte is
 * the exit signal. halves: the lo/hi halves of a0..a4.
 */
export function cloneArgs(half: Int32Array): CloneArgs {
  const flags = half[0]! >>> 0;
  const u64 = (i: number): number => (half[2 * i + 1]! >>> 0) * TWO32 + (half[2 * i]! >>> 0);
  return {
    flags: (flags & ~CSIGNAL) >>> 0,
    exitSignal: flags & CSIGNAL,
    newspLo: half[2]!,
    newspHi: half[3]!,
    parentTid: u64(2),
    tlsLo: half[6]!,
    tlsHi: half[7]!,
    childTid: u64(4),
  };
}

function setRegHalves(t: Task, r: number, lo: number, hi: number): void {
  t.regs[2 * r] = lo;
  t.regs[2 * r + 1] = hi;
}

/**
 * copy_process()'s two task limits, -EAGAIN when one is reached: the user's
 * processes against RLIMIT_NPROC (every vmlab process is uid 1000, zombies
 * not yet reaped included, as Linux's ucounts count them; the new child
 * would make one more than the limit), then all tasks against
 * kernel.threads-max. Root's exemption never applies.
 */
export function checkForkLimits(k: Kernel, parent: Task): number {
  const nproc = k.tasks.size + 1;
  if (nproc > parent.rlim.rlimit(RLIMIT_NPROC)) return -EAGAIN;
  if (k.tasks.size >= k.maxThreads) return -EAGAIN;
  return 0;
}

/** kernel_clone(): the child's pid, or -EINVAL (unsupported flags), -EAGAIN (checkForkLimits), -ENOMEM, -EFAULT. */
export function kernelClone(k: Kernel, parent: Task, args: CloneArgs): number {
  if ((args.flags & ~SUPPORTED) !== 0 || args.exitSignal > NSIG) return -EINVAL;
  if (parent.mm === null) return -EINVAL;
  const limited = checkForkLimits(k, parent);
  if (limited < 0) return limited;
  const mm = k.mm.dupMmap(parent.mm);
  if (typeof mm === 'number') return mm;
  if (mm === null) return -ENOMEM;
  const child = new Task(k.allocPid(), parent.comm, parent, parent.files.dupForFork(), parent.sighand.dup());
  child.mm = mm;
  mm.rlim = child.rlim;
  child.exitSignal = args.exitSignal;
  child.regs.set(parent.regs);
  child.pcLo = parent.pcLo;
  child.pcHi = parent.pcHi;
  advancePc(child);
  child.setReg(REG_A0, 0);
  if (args.newspLo !== 0 || args.newspHi !== 0) setRegHalves(child, REG_SP, args.newspLo, args.newspHi);
  if ((args.flags & CLONE_SETTLS) !== 0) setRegHalves(child, REG_TP, args.tlsLo, args.tlsHi);
  child.blocked = parent.blocked;
  child.startNs = k.clockNs();
  if ((args.flags & CLONE_CHILD_SETTID) !== 0 && k.mm.putUser32(mm, args.childTid, child.pid) < 0) {
    k.mm.exitMmap(mm);
    child.files.closeAll();
    k.freePid(child.pid);
    return -EFAULT;
  }
  if ((args.flags & CLONE_CHILD_CLEARTID) !== 0) child.clearChildTid = args.childTid;
  if ((args.flags & CLONE_PARENT_SETTID) !== 0) k.mm.putUser32(parent.mm, args.parentTid, child.pid);
  parent.children.add(child);
  k.addTask(child);
  if (k.trace.enabled('sched:sched_process_fork')) {
    k.trace.emit('sched:sched_process_fork', `comm=${parent.comm} pid=${parent.pid} child_comm=${child.comm} child_pid=${child.pid}`);
  }
  if (k.onFork !== null) k.onFork(parent, child);
  return child.pid;
}
