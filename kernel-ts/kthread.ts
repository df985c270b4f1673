// Kernel threads (Linux kthread_run), reduced to what vmlab's single CPU
// needs: a kernel thread is a step function the scheduler calls between
// user time slices, in kernel context (no `current` user task, no user
// registers), until it returns KthreadStep.Exit or is stopped. A step must
// be short and non-blocking: "waiting" is returning KthreadStep.Again and
// being called at the next slice boundary (kthread_should_stop/schedule()).
// vmlab/linux's kthread_run (module/linux/kthread.ts) builds on it (btplus's
// promotion thread, drivers/btplus-huge.ts, is one).
import type { Kernel } from './kernel';

export const KthreadStep = { Again: 0, Exit: 1 } as const;
export type KthreadStep = (typeof KthreadStep)[keyof typeof KthreadStep];

export interface Kthread {
  readonly name: string;
  /** Set by kthreadStop; the thread is never called again. */
  stopped: boolean;
}

interface Entry extends Kthread {
  readonly step: () => KthreadStep;
}

const threads = new WeakMap<Kernel, Entry[]>();

/** Linux kthread_run(): starts a kernel thread of k; returns its handle for kthreadStop. */
export function kthreadRun(k: Kernel, name: string, step: () => KthreadStep): Kthread {
  const e: Entry = { name, stopped: false, step };
  const list = threads.get(k) ?? [];
  list.push(e);
  threads.set(k, list);
  return e;
}

/** Linux kthread_stop(): the thread runs no more steps. */
export function kthreadStop(k: Kernel, t: Kthread): void {
  t.stopped = true;
  const list = threads.get(k);
  if (list !== undefined) threads.set(k, list.filter((e) => e !== t));
}

/** The live kernel threads of k (for ps-like views and tests). */
export function kthreads(k: Kernel): readonly Kthread[] {
  return threads.get(k) ?? [];
}

/** Called by the scheduler between slices: one step of each kernel thread, in kernel context. */
export function runKthreads(k: Kernel): void {
  const list = threads.get(k);
  if (list === undefined || list.length === 0) return;
  const prev = k.current;
  k.current = null;
  try {
    for (const e of [...list]) {
      if (e.stopped) continue;
      let r: KthreadStep;
      try {
        // A step is driver code: bounded like every call into a module (module/watchdog.ts).
        r = k.modules === undefined ? e.step() : k.modules.watchdog.bounded(`kthread ${e.name}`, e.step);
      } catch (err) {
        k.reportOops(null, `kthread ${e.name}`, err);
        r = KthreadStep.Exit;
      }
      if (r === KthreadStep.Exit) kthreadStop(k, e);
    }
  } finally {
    k.current = prev;
  }
}
