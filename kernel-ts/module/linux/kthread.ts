// <linux/kthread.h> over kernel-ts/kthread.ts's step threads: a thread
// function is a generator whose `yield`s are its blocking points
// (include/kthread.d.ts says why). Each kernel-thread turn resumes the
// generator when its wait is over; the wait requests come from sched.ts and
// delay.ts (msleep, schedule...).
import type { Kernel } from '../../kernel';
import { KthreadStep, kthreadRun, kthreadStop } from '../../kthread';
import type { Kthread } from '../../kthread';
import { EINTR } from '../../errno';
import { KERN_ERR } from '../../printk';
import type { LinuxEnv } from './env';
import type { kthread_wait, task_struct } from './include/sched';
import type { kthread_fn } from './include/kthread';
import { KthreadTaskView, TASK_DEAD } from './views';
import { asKthread, runningKthread } from './current';
import { vsprintf } from './printk';
import { lockdepCallEnd } from './mm_types';
import { isThenable, swallowRejection } from '../watchdog';
import { describeThrown } from '../../proc/oops';

export const TASK_RUNNING = 0;
export const TASK_INTERRUPTIBLE = 1;
export const TASK_UNINTERRUPTIBLE = 2;

/** A wait request (kthread_wait): sleep for ns, or schedule() with an optional timeout. */
export type Wait = { readonly __wait: 'sleep'; readonly ns: number; readonly interruptible: boolean } | { readonly __wait: 'schedule'; readonly timeoutNs: number | null };

/** Turns kthread_stop gives a thread to return before it is declared hung. */
const STOP_TURNS = 1000;

interface ThreadState {
  readonly env: LinuxEnv;
  readonly view: KthreadTaskView;
  readonly fn: () => unknown;
  gen: Generator<kthread_wait, number | void, void> | null;
  handle: Kthread | null;
  started: boolean;
  shouldStop: boolean;
  done: boolean;
  result: number;
  /** Clock time the thread may run again (-1: runnable; Infinity: until woken). */
  wakeAt: number;
  /** The sleep it is in can be cut short (wake_up_process, kthread_stop). */
  interruptible: boolean;
}

const states = new WeakMap<KthreadTaskView, ThreadState>();
/** Every kernel thread of a kernel, for find_task_by_vpid and for_each_process. */
const threadsOf = new WeakMap<Kernel, ThreadState[]>();

function isGenerator(v: unknown): v is Generator<kthread_wait, number | void, void> {
  return typeof v === 'object' && v !== null && typeof (v as Generator).next === 'function' && typeof (v as Generator)[Symbol.iterator] === 'function';
}

/** The live (not finished) kernel threads of k, oldest first. */
export function liveKthreads(k: Kernel): KthreadTaskView[] {
  return (threadsOf.get(k) ?? []).filter((s) => !s.done).map((s) => s.view);
}

/** The current kernel thread's state, if a kthread step is running. */
function running(k: Kernel): ThreadState | undefined {
  const v = runningKthread(k);
  return v === undefined ? undefined : states.get(v);
}

/** set_current_state in a kernel thread (sched.ts). */
export function setKthreadState(k: Kernel, state: number): void {
  const s = running(k);
  if (s !== undefined) s.view.__state = state;
}

function finish(s: ThreadState, result: unknown): void {
  s.done = true;
  s.result = typeof result === 'number' ? result : 0;
  s.view.__state = TASK_DEAD;
}

/** Acts on what the generator yielded. */
function waitFor(s: ThreadState, w: unknown, now: number): void {
  const wait = w as Wait | undefined;
  if (wait?.__wait === 'sleep') {
    s.wakeAt = now + wait.ns;
    s.interruptible = wait.interruptible;
    s.view.__state = wait.interruptible ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE;
  } else if (wait?.__wait === 'schedule') {
    const st = s.view.__state;
    if (st === TASK_RUNNING) {
      s.wakeAt = now;
    } else {
      s.wakeAt = wait.timeoutNs === null ? Infinity : now + wait.timeoutNs;
      s.interruptible = st === TASK_INTERRUPTIBLE;
    }
  } else {
    if (isThenable(w)) swallowRejection(w, (e) => s.env.kernel.printk.log(`${s.env.module.name}: a Promise kthread ${s.view.comm} yielded rejected: ${describeThrown(e).text}`, KERN_ERR));
    throw new TypeError(`kthread ${s.view.comm} yielded ${describeThrown(w).text.replace(/^(thrown value|Error): /, '')}: yield only what msleep, schedule, schedule_timeout or cond_resched return`);
  }
}

/** One turn: resume the thread if its wait is over. */
function step(s: ThreadState): KthreadStep {
  const k = s.env.kernel;
  if (s.done) return KthreadStep.Exit;
  const now = k.clockNs();
  if (s.wakeAt > now) return KthreadStep.Again;
  s.wakeAt = -1;
  s.view.__state = TASK_RUNNING;
  try {
    asKthread(k, s.view, () => {
      if (s.gen === null) {
        const r = s.fn();
        if (isThenable(r)) {
          swallowRejection(r, (e) => k.printk.log(`${s.env.module.name}: a Promise of kthread ${s.view.comm} rejected: ${describeThrown(e).text}`, KERN_ERR));
          throw new TypeError(`kthread ${s.view.comm} returned a Promise: a thread function is a generator or a plain function (not async)`);
        }
        if (!isGenerator(r)) {
          finish(s, r);
          return;
        }
        s.gen = r;
      }
      const it = s.gen.next();
      if (it.done === true) finish(s, it.value);
      else waitFor(s, it.value, k.clockNs());
    });
  } catch (e) {
    finish(s, -EINTR);
    throw e;
  } finally {
    asKthread(k, s.view, () => lockdepCallEnd(s.env));
  }
  return s.done ? KthreadStep.Exit : KthreadStep.Again;
}

/**
 * At the module's end (rmmod, a failed init): its kernel threads still
 * running are stopped, as their code goes with the module (in Linux such a
 * thread runs freed module text, and oopses). Returns their `comm:pid`s.
 */
export function stopModuleKthreads(k: Kernel, module: LinuxEnv['module']): string[] {
  const out: string[] = [];
  for (const s of threadsOf.get(k) ?? []) {
    if (s.done || s.env.module !== module) continue;
    out.push(`${s.view.comm}:${s.view.pid}`);
    finish(s, -EINTR);
    if (s.handle !== null) kthreadStop(k, s.handle);
  }
  return out;
}

export function kthreadApi(env: LinuxEnv): typeof import('./include/kthread') {
  const k = env.kernel;
  const stateOf = (t: task_struct): ThreadState | undefined => (t instanceof KthreadTaskView ? states.get(t) : undefined);

  const wake = (t: task_struct): number => {
    const s = stateOf(t);
    if (s === undefined || s.done || s.env.kernel !== k) return 0;
    if (!s.started) {
      s.started = true;
      s.handle = kthreadRun(k, s.view.comm, () => step(s));
      return 1;
    }
    if (s.wakeAt > k.clockNs() && (s.interruptible || s.wakeAt === Infinity)) {
      s.wakeAt = -1;
      s.view.__state = TASK_RUNNING;
      return 1;
    }
    return 0;
  };

  const create = <D>(threadfn: kthread_fn<D>, data: D, namefmt: string, args: unknown[]): task_struct => {
    if (typeof threadfn !== 'function') throw new TypeError('kthread_create: threadfn is not a function');
    const view = new KthreadTaskView(k.allocPid(), vsprintf(String(namefmt), args).slice(0, 15));
    const s: ThreadState = {
      env,
      view,
      fn: () => (threadfn as (d: D) => unknown)(data),
      gen: null,
      handle: null,
      started: false,
      shouldStop: false,
      done: false,
      result: 0,
      wakeAt: -1,
      interruptible: false,
    };
    states.set(view, s);
    const list = threadsOf.get(k) ?? [];
    list.push(s);
    threadsOf.set(k, list);
    return view;
  };

  return {
    kthread_create: (threadfn, data, namefmt, ...args) => create(threadfn, data, namefmt, args),
    kthread_run: (threadfn, data, namefmt, ...args) => {
      const t = create(threadfn, data, namefmt, args);
      wake(t);
      return t;
    },
    wake_up_process: wake,
    kthread_should_stop: () => running(k)?.shouldStop ?? false,
    kthread_stop: (t) => {
      const s = stateOf(t);
      if (s === undefined) throw new TypeError('kthread_stop: not a kernel thread');
      s.shouldStop = true;
      if (running(k) === s) {
        // A thread stopping itself waits for its own exit: Linux's hung task. Here it is told to stop and goes on to its loop's test.
        k.printk.log(`INFO: task ${s.view.comm}:${s.view.pid} blocked for more than 120 seconds.`, KERN_ERR);
        k.printk.log(`kthread_stop: ${s.view.comm} called kthread_stop on itself (a deadlock in Linux); it is told to stop`, KERN_ERR);
        return -EINTR;
      }
      if (!s.started) {
        finish(s, -EINTR);
        return -EINTR;
      }
      for (let i = 0; i < STOP_TURNS && !s.done; i++) {
        // kthread_stop waits: the pending sleep is over at once.
        s.wakeAt = -1;
        step(s);
      }
      if (s.handle !== null) kthreadStop(k, s.handle);
      if (!s.done) {
        k.printk.log(`INFO: task ${s.view.comm}:${s.view.pid} blocked for more than 120 seconds.`, KERN_ERR);
        k.printk.log(`kthread_stop: ${s.view.comm} did not return after ${STOP_TURNS} turns (does its loop test kthread_should_stop()?); stopped`, KERN_ERR);
        finish(s, -EINTR);
      }
      return s.result;
    },
  };
}
