// `current` for vmlab/linux: the task of the call the kernel is making into
// module code — the process of a system call (k.current), or the kernel
// thread whose step is running (kthread.ts sets it around each step; the
// kernel's k.current is null then, as a kthread has no user task).
import type { Kernel } from '../../kernel';
import type { LinuxEnv } from './env';
import type { task_struct } from './include/sched';
import { taskView } from './views';
import type { KthreadTaskView } from './views';

/** The kernel thread running a step now, per kernel. */
const running = new WeakMap<Kernel, KthreadTaskView>();

/** Runs fn as kernel thread t (current() is t inside). */
export function asKthread<T>(k: Kernel, t: KthreadTaskView, fn: () => T): T {
  const prev = running.get(k);
  running.set(k, t);
  try {
    return fn();
  } finally {
    if (prev === undefined) running.delete(k);
    else running.set(k, prev);
  }
}

/** The kernel thread whose step is running, or undefined. */
export function runningKthread(k: Kernel): KthreadTaskView | undefined {
  return running.get(k);
}

/** get_current(): the kthread running, else the kernel's current task, else null (boot, the host). */
export function currentTask(env: LinuxEnv): task_struct | null {
  const kt = running.get(env.kernel);
  if (kt !== undefined) return kt;
  const t = env.kernel.current;
  return t === null ? null : taskView(env, t);
}

/** pid and comm for a log line: current's, or swapper/0's. */
export function currentIdentity(env: LinuxEnv): { pid: number; comm: string } {
  const t = currentTask(env);
  return t === null ? { pid: 0, comm: 'swapper/0' } : { pid: t.pid, comm: t.comm };
}
