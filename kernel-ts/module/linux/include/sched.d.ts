// <linux/sched.h>: the task. Functions come with the scheduler part of this
// file (current, find_task_by_vpid, for_each_process...).
import type { pid_t } from './types';
import type { mm_struct } from './mm_types';

/**
 * struct task_struct (include/linux/sched.h), read-only: a process, or a
 * kernel thread (mm null, PF_KTHREAD in flags).
 */
export interface task_struct {
  readonly pid: pid_t;
  /** Thread-group id: equal to pid (vmlab has no threads). */
  readonly tgid: pid_t;
  /** The executable's name, at most TASK_COMM_LEN - 1 (15) characters. */
  readonly comm: string;
  /** The address space; null for a kernel thread or an exited task. */
  readonly mm: mm_struct | null;
  /** The address space in use: mm, or for a kernel thread the one it borrowed (null here). */
  readonly active_mm: mm_struct | null;
  /** The parent (real_parent: vmlab has no ptrace), null for a task without one. */
  readonly parent: task_struct | null;
  readonly real_parent: task_struct | null;
  /** TASK_RUNNING (0), TASK_INTERRUPTIBLE (1)... (Linux 5.14 renamed state to __state). */
  readonly __state: number;
  /** The pre-5.14 name of __state, as the labs' modules spell it. */
  readonly state: number;
  /** EXIT_ZOMBIE (0x20), EXIT_DEAD (0x10) once exited, else 0. */
  readonly exit_state: number;
  /** PF_* bits: PF_KTHREAD (0x00200000) for a kernel thread. */
  readonly flags: number;
}

/** Task states (include/linux/sched.h). */
export declare const TASK_RUNNING: number;
export declare const TASK_INTERRUPTIBLE: number;
export declare const TASK_UNINTERRUPTIBLE: number;
export declare const TASK_DEAD: number;
/** PF_KTHREAD: task_struct.flags of a kernel thread. */
export declare const PF_KTHREAD: number;
/** TASK_COMM_LEN: comm holds at most 15 characters and its NUL. */
export declare const TASK_COMM_LEN: number;

/**
 * What msleep/schedule/schedule_timeout/cond_resched return: a request to
 * wait, which a kernel thread's generator hands to the scheduler with
 * `yield` (kthread.d.ts explains why). Opaque.
 */
export interface kthread_wait {
  readonly __wait: 'sleep' | 'schedule';
}

/**
 * get_current() (arch/x86/include/asm/current.h): the task this call runs
 * for — the process of the system call (insmod's own process in init and
 * exit, the caller in a file operation), the kernel thread in a kthread step,
 * or swapper/0 (pid 0, no mm) when the kernel itself calls. Never null.
 */
export declare function get_current(): task_struct;
/**
 * current: reads as Linux's macro — `current.pid`, `current.comm`,
 * `current.mm` read get_current()'s fields at the time of the read. It is a
 * stand-in object: compare tasks with get_current() (`t === get_current()`),
 * not with `current`.
 */
export declare const current: task_struct;

/** find_task_by_vpid(nr) (kernel/pid.c): the task (process or kernel thread) with pid nr, a zombie too; null if none. */
export declare function find_task_by_vpid(nr: pid_t): task_struct | null;
/** struct pid (include/linux/pid.h): a pid number with a reference. */
export interface pid {
  readonly nr: pid_t;
}
/** PIDTYPE_PID (include/linux/pid.h), for pid_task. */
export declare const PIDTYPE_PID: number;
/** find_get_pid(nr) (kernel/pid.c): the struct pid of a live pid, or null. Release with put_pid. */
export declare function find_get_pid(nr: pid_t): pid | null;
/** put_pid(pid): drops find_get_pid's reference (null is allowed). */
export declare function put_pid(p: pid | null): void;
/** pid_task(pid, PIDTYPE_PID) (kernel/pid.c): the task of a struct pid, or null once it is gone. */
export declare function pid_task(p: pid | null, type: number): task_struct | null;
/**
 * for_each_process(p) (include/linux/sched/signal.h) as an iterable:
 * `for (const p of for_each_process()) ...` visits every process and kernel
 * thread (not swapper/0), in creation (pid) order.
 */
export declare function for_each_process(): Iterable<task_struct>;
/** get_task_comm(buf, tsk) (fs/exec.c) returning the name: at most 15 characters. */
export declare function get_task_comm(tsk: task_struct): string;
/** task_pid_nr(tsk), task_tgid_nr(tsk): its pid / thread-group id. */
export declare function task_pid_nr(tsk: task_struct): pid_t;
export declare function task_tgid_nr(tsk: task_struct): pid_t;

/**
 * set_current_state(state) (include/linux/sched.h): in a kernel thread, the
 * state the next `yield schedule()` sleeps in: TASK_INTERRUPTIBLE or
 * TASK_UNINTERRUPTIBLE sleep until wake_up_process (or the timeout of
 * schedule_timeout), TASK_RUNNING only yields the CPU. No effect elsewhere.
 */
export declare function set_current_state(state: number): void;
export declare function __set_current_state(state: number): void;
/**
 * schedule() (kernel/sched/core.c): in a kernel thread, `yield schedule();`
 * gives the CPU up — until the next time kernel threads run if the thread's
 * state is TASK_RUNNING, else until wake_up_process. In a process's call it
 * returns at once (a module's call cannot block here).
 */
export declare function schedule(): kthread_wait;
/** schedule_timeout(timeout) (kernel/time/timer.c): schedule() for at most `timeout` jiffies. */
export declare function schedule_timeout(timeout: number): kthread_wait;
/** schedule_timeout_interruptible / _uninterruptible: set_current_state then schedule_timeout. */
export declare function schedule_timeout_interruptible(timeout: number): kthread_wait;
export declare function schedule_timeout_uninterruptible(timeout: number): kthread_wait;
/** cond_resched() (kernel/sched/core.c): in a kernel thread, `yield cond_resched();` lets others run; elsewhere nothing. */
export declare function cond_resched(): kthread_wait;

/** HZ: timer ticks per second (CONFIG_HZ=250, x86's default). */
export declare const HZ: number;
/** get_jiffies_64() (kernel/time/jiffies.c): ticks since boot, from the guest's instruction clock (1 instruction = 1 ns). */
export declare function get_jiffies_64(): bigint;
/** msecs_to_jiffies(m) / jiffies_to_msecs(j) (kernel/time/time.c), rounding up as Linux's. */
export declare function msecs_to_jiffies(m: number): number;
export declare function jiffies_to_msecs(j: number): number;
