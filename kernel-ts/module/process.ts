// Short-lived processes for work the host asks of the kernel: insmod and
// rmmod (like the real binaries: a process with its own mm whose system call
// runs the module's init or exit), and the shell's built-ins that touch files
// (cat, echo >). Inside, `current` is that process; afterwards it exits and
// is reaped, so its pid is seen in logs and /proc while it lives, as a real
// one would be.
//
// An exited process's mm (its pgd and page tables) is freed only after the
// next MM_GRACE such processes have started (in the spirit of Linux's lazy
// TLB mm and RCU-deferred page-table freeing: a page table is not reused
// the moment it is let go). Without that the buddy allocator would hand the
// next insmod the very pgd frame the previous one freed; with it,
// consecutive insmods (even with a `cat` between) have different pgds over
// the same kernel tables, which the kmalloc-vs-vmalloc lab looks at.
import type { Kernel } from '../kernel';
import type { MmStruct } from '../mm/mm-struct';
import { ENOMEM } from '../errno';
import { doExit, exitStatus } from '../proc/exit';
import { SIGKILL, SigHand, sigmask } from '../proc/signal-defs';
import { Task } from '../proc/task';

/** How many exited processes' mms are kept before the oldest is freed. */
const MM_GRACE = 2;
/** Per kernel: the mms of the last MM_GRACE processes run here, oldest first, not yet freed. */
const heldByKernel = new WeakMap<Kernel, MmStruct[]>();

function heldMms(k: Kernel): MmStruct[] {
  let h = heldByKernel.get(k);
  if (h === undefined) heldByKernel.set(k, (h = []));
  return h;
}

/** The mms of the last short-lived processes, kept for their grace period (for the mm self-check: they are live). */
export function graceMms(k: Kernel): readonly MmStruct[] {
  return heldByKernel.get(k) ?? [];
}

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
  // The oldest exited process's mm is past its grace period now that another exists.
  const held = heldMms(k);
  if (held.length >= MM_GRACE) k.mm.exitMmap(held.shift()!);
  const t = new Task(k.allocPid(), comm, null, k.vfs.initialFiles(), new SigHand());
  t.rlim = k.initRlim.copy(); // init's limits, as the processes the host spawns
  t.mm = mm;
  mm.rlim = t.rlim;
  t.startNs = k.clockNs();
  // In the task table (visible in /proc) but not on the run queue: it never runs user code.
  k.tasks.set(t.pid, t);
  const prev = k.current;
  k.current = t;
  k.mm.switchMm(mm);
  let out: ProcessOutcome<T>;
  try {
    const value = fn(t);
    // A module's oops queued SIGKILL (context.ts guard): it is delivered as the process returns.
    if (t.isAlive && (t.pending.signal & sigmask(SIGKILL)) !== 0n) doExit(k, t, SIGKILL);
    out = t.isAlive ? { killed: false, value } : { killed: true, signal: t.exitCode & 0x7f };
  } catch (e) {
    k.oops(t, where, e);
    out = { killed: true, signal: t.exitCode & 0x7f };
  } finally {
    k.current = prev;
  }
  if (t.isAlive) {
    // The mm outlives the exit for a grace period (above).
    const own = t.mm!;
    t.mm = null;
    doExit(k, t, exitStatus(0));
    heldMms(k).push(own);
  }
  k.hostStatus.delete(t.pid);
  return out;
}
