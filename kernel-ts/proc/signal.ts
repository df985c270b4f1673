// Signal generation and delivery (Linux kernel/signal.c, arch/riscv/kernel/
// signal.c): sending (send_signal, force_sig_info), the check on every return
// to user mode (get_signal + handle_signal), the riscv64 rt_sigframe with
// vmlab's trap context (sigframe.ts), and rt_sigreturn.
import { EFAULT, EINTR } from '../errno';
import type { Kernel } from '../kernel';
import { doExit } from './exit';
import { wakeUp } from './sched';
import { SIGFRAME_SIZE, UC_OFFSET, decodeSigframe, encodeSigframe } from './sigframe';
import {
  DefaultAction, SA_NODEFER, SA_RESETHAND, SA_RESTART, SIGKILL, SIGSEGV, SIG_DFL, SIG_IGN, SI_KERNEL,
  UNBLOCKABLE, defaultAction, siginfo, sigmask,
} from './signal-defs';
import type { KSiginfo } from './signal-defs';
import { Restart } from './task';
import type { Task } from './task';
import { VDSO_RT_SIGRETURN, vdsoFile } from './vdso';

const REG_RA = 1;
const REG_SP = 2;
const REG_A0 = 10;
const REG_A1 = 11;
const REG_A2 = 12;

/** Linux sig_handler_ignored(): SIG_IGN, or SIG_DFL for a signal whose default is to ignore. */
export function sigHandlerIgnored(t: Task, signo: number): boolean {
  const h = t.sighand.action[signo]!.handler;
  return h === SIG_IGN || (h === SIG_DFL && defaultAction(signo) === DefaultAction.Ignore);
}

/**
 * send_signal(): queues info for t unless the signal would be ignored (and is
 * not blocked), and wakes t if it sleeps and the signal is not blocked
 * (signal_wake_up). SIGKILL wakes even through a block (it cannot be blocked).
 */
export function sendSignal(t: Task, info: KSiginfo): void {
  if (!t.isAlive) return;
  const bit = sigmask(info.signo);
  if ((t.blocked & bit) === 0n && sigHandlerIgnored(t, info.signo) && info.signo !== SIGKILL) return;
  t.pending.add(info);
  if ((t.blocked & bit) === 0n || info.signo === SIGKILL) wakeUp(t);
}

/**
 * force_sig_info_to_task(): a synchronous fault signal must be delivered: if
 * the task blocks or ignores it, the action is reset to SIG_DFL and the
 * signal unblocked, so a fault inside its own handler kills.
 */
export function forceSig(t: Task, info: KSiginfo): void {
  const act = t.sighand.action[info.signo]!;
  const blocked = (t.blocked & sigmask(info.signo)) !== 0n;
  if (act.handler === SIG_IGN || blocked) {
    act.handler = SIG_DFL;
    if (blocked) t.blocked &= ~sigmask(info.signo);
  }
  sendSignal(t, info);
}

/** force_sigsegv(): the frame could not be built, so the task dies of SIGSEGV (its handler reset). */
export function forceSigsegv(t: Task): void {
  t.sighand.action[SIGSEGV]!.handler = SIG_DFL;
  forceSig(t, siginfo(SIGSEGV, SI_KERNEL));
}

/** True when t has a pending signal it does not block (signal_pending after recalc_sigpending). */
export function signalPending(t: Task): boolean {
  return t.pending.signal !== 0n && (t.pending.signal & ~t.blocked) !== 0n;
}

/**
 * get_signal() + handle_signal(), on the way back to user mode: delivers
 * every deliverable pending signal, each handler getting its own frame
 * (nested, as Linux's loop does); a default fatal action ends the task.
 */
export function doSignal(k: Kernel, t: Task): void {
  for (;;) {
    if (!t.isAlive) return;
    if (k.onSignalDeliver !== null && deferDelivery(k, t)) return;
    const info = t.pending.dequeue(t.blocked);
    if (info === null) return;
    const signo = info.signo;
    const act = t.sighand.action[signo]!;
    if (act.handler === SIG_IGN) continue;
    if (act.handler === SIG_DFL) {
      const what = defaultAction(signo);
      // No job control in vmlab: stop and continue signals are ignored.
      if (what === DefaultAction.Ignore || what === DefaultAction.Stop || what === DefaultAction.Cont) continue;
      // No core dumps are configured, so the status is the bare signal number.
      doExit(k, t, signo);
      return;
    }
    handleSignal(k, t, info);
  }
}

/**
 * The debugger's signal-delivery stop (Linux ptrace_signal() in get_signal):
 * asks kernel.onSignalDeliver about the signal about to be dequeued; true
 * leaves it pending and pauses the slice (Kernel.requestPause), so it is
 * delivered when the slice goes on. SIGKILL is never stopped for, nor anything while it is pending.
 */
function deferDelivery(k: Kernel, t: Task): boolean {
  const ready = t.pending.signal & ~t.blocked;
  if (ready === 0n || (t.pending.signal & sigmask(SIGKILL)) !== 0n) return false;
  let signo = 1;
  while ((ready & sigmask(signo)) === 0n) signo++;
  if (!k.onSignalDeliver!(t, signo)) return false;
  k.requestPause();
  return true;
}

/** handle_signal(): fixes up an interrupted sleep, builds the frame, then applies sa_mask and SA_RESETHAND. */
function handleSignal(k: Kernel, t: Task, info: KSiginfo): void {
  const act = t.sighand.action[info.signo]!;
  if (t.restart !== Restart.None) {
    // The task slept inside a system call with pc at its ecall.
    if (t.restart === Restart.Block || (act.flags & SA_RESTART) === 0) {
      if (t.restart === Restart.Block) writeRemaining(k, t);
      t.setReg(REG_A0, -EINTR);
      advancePc(t);
      t.sleepDeadlineNs = -1;
    }
    t.restart = Restart.None;
    t.partialWrite = null;
  }
  // sigsuspend's temporary mask stays for the handler; the frame gets the one it replaced.
  const saved = t.savedSigmask ?? t.blocked;
  t.savedSigmask = null;
  if (setupRtFrame(k, t, info, saved) < 0) {
    forceSigsegv(t);
    return;
  }
  let mask = t.blocked | act.mask;
  if ((act.flags & SA_NODEFER) === 0) mask |= sigmask(info.signo);
  t.blocked = mask & ~UNBLOCKABLE;
  if ((act.flags & SA_RESETHAND) !== 0) {
    act.handler = SIG_DFL;
    act.flags &= ~SA_RESETHAND;
  }
}

/** An interrupted nanosleep(req, rem) tells the caller, in *rem, how much of the sleep was left. */
function writeRemaining(k: Kernel, t: Task): void {
  const rem = t.sleepRmtp;
  if (rem === 0 || t.mm === null || t.sleepDeadlineNs < 0) return;
  const left = Math.max(0, t.sleepDeadlineNs - k.clockNs());
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, BigInt(Math.floor(left / 1e9)), true);
  dv.setBigInt64(8, BigInt(left % 1e9), true);
  k.mm.copyToUser(t.mm, rem, b);
}

/** The address of the sigreturn trampoline in t's [vdso], or -1 if it has been unmapped. */
function vdsoSigreturn(t: Task): number {
  if (t.mm === null) return -1;
  for (const v of t.mm.vmas) if (v.vmFile === vdsoFile) return v.vmStart + VDSO_RT_SIGRETURN;
  return -1;
}

/**
 * setup_rt_frame(): writes the frame below sp (16-byte aligned) and points
 * the task at the handler: a0 = signo, a1 = &info, a2 = &uc, ra = the vdso
 * trampoline, sp = the frame. 0 or -EFAULT (the frame is not writable).
 */
export function setupRtFrame(k: Kernel, t: Task, info: KSiginfo, savedMask: bigint = t.blocked): number {
  const mm = t.mm;
  const ret = vdsoSigreturn(t);
  if (mm === null || ret < 0) return -EFAULT;
  const frame = Math.floor((t.reg(REG_SP) - SIGFRAME_SIZE) / 16) * 16;
  if (frame < 0) return -EFAULT;
  const bytes = encodeSigframe(info, { regs: t.regs, pcLo: t.pcLo, pcHi: t.pcHi, mask: savedMask, altSp: 0, altSize: 0 });
  if (k.mm.copyToUser(mm, frame, bytes) < 0) return -EFAULT;
  const handler = t.sighand.action[info.signo]!.handler;
  t.setReg(REG_A0, info.signo);
  t.setReg(REG_A1, frame);
  t.setReg(REG_A2, frame + UC_OFFSET);
  t.setReg(REG_RA, ret);
  t.setReg(REG_SP, frame);
  t.pc = handler;
  k.trace.emit('signal:signal_deliver', `sig=${info.signo} errno=${info.errno} code=${info.code} sa_handler=${handler.toString(16)} sa_flags=${t.sighand.action[info.signo]!.flags.toString(16)}`);
  return 0;
}

/**
 * rt_sigreturn: restores x1..x31, pc and the mask from the frame at sp.
 * A frame that cannot be read is a SIGSEGV (Linux's badframe path).
 */
export function sysRtSigreturn(k: Kernel, t: Task): void {
  const mm = t.mm;
  const frame = t.reg(REG_SP);
  const bytes = mm === null || frame < 0 ? -EFAULT : k.mm.copyFromUser(mm, frame, SIGFRAME_SIZE);
  if (typeof bytes === 'number') {
    forceSig(t, siginfo(SIGSEGV, SI_KERNEL));
    return;
  }
  const saved = decodeSigframe(bytes);
  t.regs.set(saved.regs);
  t.pcLo = saved.pcLo;
  t.pcHi = saved.pcHi;
  t.blocked = saved.mask & ~UNBLOCKABLE;
  t.restart = Restart.None;
}

/** pc += 4 on the saved context (the dispatcher's step over an ecall). */
export function advancePc(t: Task): void {
  const lo = (t.pcLo + 4) | 0;
  if (lo >>> 0 < t.pcLo >>> 0) t.pcHi = (t.pcHi + 1) | 0;
  t.pcLo = lo;
}
