// <linux/sched.h>: current, finding tasks, the scheduler calls a kernel
// thread yields (schedule, cond_resched...) and jiffies. Waits are requests
// (kthread.ts Wait) that a kernel thread's generator yields; in a process's
// call they return at once.
import type { Kernel } from '../../kernel';
import { TASK_COMM_LEN } from '../../proc/task';
import type { LinuxEnv } from './env';
import type { pid as pid_s, task_struct } from './include/sched';
import { KthreadTaskView, PF_KTHREAD, TASK_DEAD, taskView } from './views';
import { currentTask } from './current';
import { TASK_INTERRUPTIBLE, TASK_RUNNING, TASK_UNINTERRUPTIBLE, liveKthreads, setKthreadState } from './kthread';
import type { Wait } from './kthread';

/** CONFIG_HZ: x86's default. */
export const HZ = 250;
const NS_PER_JIFFY = 1e9 / HZ;

/** swapper/0 of each kernel: current when no task is. */
const swappers = new WeakMap<Kernel, KthreadTaskView>();

function swapper(k: Kernel): KthreadTaskView {
  let s = swappers.get(k);
  if (s === undefined) swappers.set(k, (s = new KthreadTaskView(0, 'swapper/0')));
  return s;
}

class Pid implements pid_s {
  constructor(readonly nr: number) {}
}

export function schedApi(env: LinuxEnv): typeof import('./include/sched') {
  const k = env.kernel;
  const get_current = (): task_struct => currentTask(env) ?? swapper(k);
  // `current.pid` reads get_current().pid at the time of the read.
  const current = new Proxy({} as task_struct, {
    get: (_t, p) => Reflect.get(get_current(), p),
    has: (_t, p) => Reflect.has(get_current(), p),
    set: () => false,
  });
  const find = (nr: number): task_struct | null => {
    const t = k.tasks.get(nr);
    if (t !== undefined) return taskView(env, t);
    return liveKthreads(k).find((v) => v.pid === nr) ?? null;
  };
  const schedule = (timeoutNs: number | null): Wait => ({ __wait: 'schedule', timeoutNs });
  const jiffiesNs = (j: number): number => Math.max(0, j) * NS_PER_JIFFY;
  return {
    TASK_RUNNING,
    TASK_INTERRUPTIBLE,
    TASK_UNINTERRUPTIBLE,
    TASK_DEAD,
    PF_KTHREAD,
    TASK_COMM_LEN,
    get_current,
    current,
    find_task_by_vpid: find,
    PIDTYPE_PID: 0,
    find_get_pid: (nr) => (find(nr) === null ? null : new Pid(nr)),
    put_pid: () => {},
    pid_task: (p) => (p === null ? null : find(p.nr)),
    for_each_process: () => ({
      *[Symbol.iterator]() {
        const all: task_struct[] = [...[...k.tasks.values()].map((t) => taskView(env, t)), ...liveKthreads(k)];
        all.sort((a, b) => a.pid - b.pid);
        yield* all;
      },
    }),
    get_task_comm: (t) => t.comm.slice(0, TASK_COMM_LEN - 1),
    task_pid_nr: (t) => t.pid,
    task_tgid_nr: (t) => t.tgid,
    set_current_state: (state) => setKthreadState(k, state),
    __set_current_state: (state) => setKthreadState(k, state),
    schedule: () => schedule(null),
    schedule_timeout: (timeout) => schedule(jiffiesNs(timeout)),
    schedule_timeout_interruptible: (timeout) => {
      setKthreadState(k, TASK_INTERRUPTIBLE);
      return schedule(jiffiesNs(timeout));
    },
    schedule_timeout_uninterruptible: (timeout) => {
      setKthreadState(k, TASK_UNINTERRUPTIBLE);
      return schedule(jiffiesNs(timeout));
    },
    cond_resched: () => {
      setKthreadState(k, TASK_RUNNING);
      return schedule(null);
    },
    HZ,
    get_jiffies_64: () => BigInt(Math.floor(k.clockNs() / NS_PER_JIFFY)),
    msecs_to_jiffies: (m) => Math.ceil((Math.max(0, m) * HZ) / 1000),
    jiffies_to_msecs: (j) => Math.floor((j * 1000) / HZ),
  };
}
