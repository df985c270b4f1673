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
