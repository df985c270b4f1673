// Short-lived processes for work the host asks of the kernel: insmod and
// rmmod (like the real binaries: a process with its own mm whose system call
// runs the module's init or exit), and the shell's built-ins that touch files
// (cat, echo >). Inside, `current` is that process; afterwards it exits and
// is reaped, so its pid is seen in logs and /proc while it lives, as a real
// one would be.
import type { Kernel } from '../kernel';
import { ENOMEM } from '../errno';
import { doExit, exitStatus } from '../proc/exit';
import { SigHand } from '../proc/signal-defs';
import { Task } from '../proc/task';

/** How a transient process ended: its function's result, or killed (an oops). */
export type ProcessOutcome<T> = { killed: false; value: T } | { killed: true; signal: number };

/**
 * Runs fn(task) as the process `comm` (a new pid and an empty mm sharing the
 * kernel half, CR3 loaded with its pgd). A throw from fn is that process's
 * oops (logged, the process killed). Returns -ENOMEM when no mm can be made.
 */
export function runInProcess<T>(k: Kernel, comm: string, fn: (t: Task) => T, where = comm): ProcessOutcome<T> | number {
  const mm = k.mm.mmCreate();
  if (mm === null) return -ENOMEM;
  const t = new Task(k.allocPid(), comm, null, k.vfs.initialFiles(), new SigHand());
  t.mm = mm;
  t.startNs = k.clockNs();
  // In the task table (visible in /proc) but not on the run queue: it never runs user code.
  k.tasks.set(t.pid, t);
  const prev = k.current;
  k.current = t;
  k.mm.switchMm(mm);
  let out: ProcessOutcome<T>;
  try {
    const value = fn(t);
    out = t.isAlive ? { killed: false, value } : { killed: true, signal: t.exitCode & 0x7f };
  } catch (e) {
    k.oops(t, where, e);
    out = { killed: true, signal: t.exitCode & 0x7f };
  } finally {
    k.current = prev;
  }
  if (t.isAlive) doExit(k, t, exitStatus(0));
  k.hostStatus.delete(t.pid);
  return out;
}
