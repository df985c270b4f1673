// <linux/kthread.h>: kernel threads.
//
// A Linux kernel thread is a loop that blocks:
//     while (!kthread_should_stop()) { work(); msleep(100); }
// A module's code here is JavaScript running inside a call the kernel makes,
// and a JS call cannot block: the scheduler (and every process) would stop
// with it. So the thread function is a generator function and each blocking
// call is `yield`ed — the one change from C:
//     kthread_run(function* (data) {
//       while (!kthread_should_stop()) { work(); yield msleep(100); }
//       return 0;
//     }, null, 'mythread');
// The generator's state (its locals, where the loop is) is the thread's
// stack: at `yield` the thread gives the CPU back and the kernel resumes it
// exactly there when the wait is over (kernel threads run between the
// processes' time slices). msleep, schedule, schedule_timeout and
// cond_resched return the wait request that `yield` hands over. Each resumed
// stretch is one call into the module, bounded like every other (a thread
// that never yields is a soft lockup oops). A plain (non-generator) function
// runs to its end in its first turn, which is right for a thread that does
// one job and returns.
import type { kthread_wait, task_struct } from './sched';

/** A thread function: a generator function yielding waits (the loop form), or a plain function run once. Its return value is what kthread_stop returns. */
export type kthread_fn<D> = ((data: D) => Generator<kthread_wait, number | void, void>) | ((data: D) => number | void);

/**
 * kthread_create(threadfn, data, namefmt, ...args) (kernel/kthread.c): a new
 * kernel thread (its own pid, comm from namefmt, printk-formatted, cut to 15
 * characters), not running until wake_up_process.
 */
export declare function kthread_create<D>(threadfn: kthread_fn<D>, data: D, namefmt: string, ...args: unknown[]): task_struct;
/** kthread_run(threadfn, data, namefmt, ...args): kthread_create then wake_up_process. */
export declare function kthread_run<D>(threadfn: kthread_fn<D>, data: D, namefmt: string, ...args: unknown[]): task_struct;
/**
 * wake_up_process(p) (kernel/sched/core.c): starts a created thread, or wakes
 * one sleeping in schedule() / an interruptible sleep. 1 if it was woken, 0
 * if it was running already (or is not a kernel thread of this kernel).
 */
export declare function wake_up_process(p: task_struct): number;
/** kthread_should_stop() (kernel/kthread.c): in a kernel thread, whether kthread_stop was called for it; false elsewhere. */
export declare function kthread_should_stop(): boolean;
/**
 * kthread_stop(k) (kernel/kthread.c): tells the thread to stop and waits
 * for it: it is resumed at once (its pending sleep cut short) until its
 * function returns, and that value is returned (0 for none). -EINTR if it
 * was never woken (its function never ran). A thread that keeps running
 * after 1000 turns is killed with Linux's hung-task message, -EINTR.
 */
export declare function kthread_stop(k: task_struct): number;
