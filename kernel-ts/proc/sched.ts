// The scheduler: round robin over the live tasks in creation order, each run
// for at most one time slice of instructions (kernel.ts), like xv6's
// scheduler() loop. Sleeping tasks (TASK_INTERRUPTIBLE) are skipped; a
// nanosleep deadline is checked against the instruction clock at each pick,
// and when every task sleeps on a timer the kernel idles the clock forward
// to the earliest deadline (a tickless idle). A deadline at KTIME_MAX never
// comes: such a sleep ends only by a signal, and the clock never jumps to it.
import { KTIME_MAX } from '../ktime';
import { TASK_INTERRUPTIBLE, TASK_RUNNING } from './task';
import type { Task } from './task';

/** True when t sleeps on a timer that has expired at nowNs (hrtimer expiry; a KTIME_MAX timer never expires). */
export function timerExpired(t: Task, nowNs: number): boolean {
  return t.state === TASK_INTERRUPTIBLE && t.sleep.kind === 'timer' && t.sleep.untilNs < KTIME_MAX && t.sleep.untilNs <= nowNs;
}

export class Scheduler {
  /** Live tasks (running or sleeping), oldest first. */
  private readonly queue: Task[] = [];
  /** Index in queue of the task picked last. */
  private last = -1;

  get nrTasks(): number {
    return this.queue.length;
  }

  /** wake_up_new_task: the task becomes schedulable (after the tasks already queued). */
  add(t: Task): void {
    this.queue.push(t);
  }

  /** The task has exited: it is never picked again. */
  remove(t: Task): void {
    const i = this.queue.indexOf(t);
    if (i < 0) return;
    this.queue.splice(i, 1);
    if (i <= this.last) this.last--;
  }

  /** All live tasks, oldest first. */
  tasks(): readonly Task[] {
    return this.queue;
  }

  /** The next runnable task after the last one picked, waking expired timer sleeps; null if none can run now. */
  pickNext(nowNs: number): Task | null {
    const n = this.queue.length;
    for (let k = 1; k <= n; k++) {
      const i = (this.last + k) % n;
      const t = this.queue[i]!;
      if (timerExpired(t, nowNs)) wakeUp(t);
      if (t.state === TASK_RUNNING) {
        this.last = i;
        return t;
      }
    }
    return null;
  }

  /** The earliest nanosleep deadline among sleeping tasks, or null (KTIME_MAX deadlines never come). */
  nextTimerNs(): number | null {
    let best: number | null = null;
    for (const t of this.queue) {
      if (t.state !== TASK_INTERRUPTIBLE || t.sleep.kind !== 'timer' || t.sleep.untilNs >= KTIME_MAX) continue;
      if (best === null || t.sleep.untilNs < best) best = t.sleep.untilNs;
    }
    return best;
  }
}

/**
 * Puts the task to sleep (set_current_state(TASK_INTERRUPTIBLE) before
 * schedule()), unless it has a signal pending that it does not block: then,
 * as Linux's __schedule() does (signal_pending_state() puts the task back to
 * TASK_RUNNING), it stays runnable, so the signal is handled on the way out
 * and the call ends in -EINTR or a restart. Without this an rt_sigsuspend
 * whose temporary mask unblocks an already pending signal would sleep for
 * ever, since nothing sends that signal again.
 */
export function sleepOn(t: Task, sleep: Task['sleep']): void {
  if ((t.pending.signal & ~t.blocked) !== 0n) return;
  t.state = TASK_INTERRUPTIBLE;
  t.sleep = sleep;
}

/** wake_up_process: a sleeping task becomes runnable; it re-issues its interrupted call. */
export function wakeUp(t: Task): void {
  if (t.state !== TASK_INTERRUPTIBLE) return;
  t.state = TASK_RUNNING;
  t.sleep = { kind: 'none' };
}
