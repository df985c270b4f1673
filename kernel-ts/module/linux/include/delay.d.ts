// <linux/delay.h>: sleeping and busy-waiting. Time is the guest's clock: one
// retired instruction is one nanosecond, plus time the kernel is idle.
import type { kthread_wait } from './sched';

/**
 * msleep(msecs) (kernel/time/timer.c): sleep at least msecs milliseconds.
 * - In a kernel thread: `yield msleep(100);` — the thread sleeps
 *   (TASK_UNINTERRUPTIBLE) and its generator is resumed, with the loop
 *   around it, at the first kernel-thread turn after the time has passed
 *   (kthread.d.ts). Without `yield` the request is dropped: nothing sleeps.
 * - In a process's call (init, a file operation): the guest clock advances by
 *   msecs (the process sleeps and nothing else runs meanwhile), then the call
 *   goes on: a module's call cannot block a JS thread.
 */
export declare function msleep(msecs: number): kthread_wait;
/** msleep_interruptible(msecs): msleep that kthread_stop ends early (TASK_INTERRUPTIBLE). */
export declare function msleep_interruptible(msecs: number): kthread_wait;
/** ssleep(seconds): msleep(seconds * 1000). */
export declare function ssleep(seconds: number): kthread_wait;
/** usleep_range(min, max) (kernel/time/timer.c): sleep between min and max microseconds (min, here). */
export declare function usleep_range(min: number, max: number): kthread_wait;
/** udelay(usecs) / ndelay(nsecs) / mdelay(msecs): busy-wait — the guest clock advances, in any context. */
export declare function udelay(usecs: number): void;
export declare function ndelay(nsecs: number): void;
export declare function mdelay(msecs: number): void;
