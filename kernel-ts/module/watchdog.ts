// The soft-lockup watchdog for module code (Linux kernel/watchdog.c, with
// what vmlab can do about a stuck CPU: stop the call). Every call the
// kernel makes into a module (init, exit, file operations, /proc and /sys
// callbacks, hooks, vm_ops, kernel-thread steps) runs through bounded(): a
// call made inside vm.Script#runInContext with a `timeout` is terminated by
// V8's watchdog thread when it runs too long, functions it calls included,
// whichever context they were compiled in. The terminated call becomes a
// thrown SoftLockup, which the caller's guard turns into the oops
// (`watchdog: BUG: soft lockup - CPU#0 stuck for 20s! [insmod:7]`): the
// call fails, the task it ran for is killed, the kernel keeps running.
//
// Termination cannot be caught by the code it stops, so no `finally` of the
// module (or of kernel code the module called) runs: what the module left
// half-done stays so, as after a Linux oops.
//
// The plumbing's frames (proc/kallsyms.ts's WATCHDOG_FRAMES) are left out of an oops's Call
// Trace, which goes from the module's function to the kernel's entry.
//
// Cost: each bounded call starts and stops V8's watchdog thread: about
// 0.2 ms on a busy 2-core machine (an unbounded call into a vm context is
// ~0.015 ms); only calls into module code pay it.
import { Script, createContext } from 'node:vm';
import type { Context } from 'node:vm';
import { SoftLockup } from '../proc/oops';

/** Linux's soft-lockup threshold: 2 * watchdog_thresh (10 s). */
export const DEFAULT_SOFTLOCKUP_MS = 20_000;

/** V8's frames recorded for an Error made in module code (Node's default, 10, ends inside the plumbing). */
const CALL_TRACE_FRAMES = 40;

/** Node's code for a runInContext that its timeout stopped. */
const TIMEOUT_CODE = 'ERR_SCRIPT_EXECUTION_TIMEOUT';

/** The one entry script: it calls the function staged in `pending` (one per Watchdog, so per kernel). */
export class Watchdog {
  private readonly context: Context;
  private readonly script = new Script('__vmlab_module_call()', { filename: 'vmlab-watchdog' });
  private pending: (() => unknown) | null = null;

  constructor(
    /** How long one call may run, in milliseconds (KernelOptions.softLockupMs). */
    readonly boundMs: number = DEFAULT_SOFTLOCKUP_MS,
  ) {
    this.context = createContext({
      __vmlab_module_call: (): unknown => {
        const fn = this.pending!;
        this.pending = null;
        return fn();
      },
    });
  }

  /**
   * fn(), stopped after boundMs: its value, or what it threw, or a thrown
   * SoftLockup naming `where`. Nested calls (a module calling the kernel
   * calling another module) each get their own bound.
   */
  bounded<T>(where: string, fn: () => T): T {
    this.pending = fn;
    // An Error the module makes records enough frames to reach the kernel's entry past this plumbing (kallsyms.ts).
    const limit = Error.stackTraceLimit;
    if (limit < CALL_TRACE_FRAMES) Error.stackTraceLimit = CALL_TRACE_FRAMES;
    try {
      return this.script.runInContext(this.context, { timeout: this.boundMs, displayErrors: false }) as T;
    } catch (e) {
      if (isTimeout(e)) throw new SoftLockup(Math.max(1, Math.ceil(this.boundMs / 1000)), where);
      throw e;
    } finally {
      this.pending = null;
      Error.stackTraceLimit = limit;
    }
  }
}

/**
 * Node's timeout error (made in the vm context's realm: not an `instanceof
 * Error` here); read defensively, `e` may be anything the module threw.
 */
function isTimeout(e: unknown): boolean {
  try {
    if (typeof e !== 'object' || e === null) return false;
    const { code, message } = e as { code?: unknown; message?: unknown };
    return code === TIMEOUT_CODE && typeof message === 'string' && message.startsWith('Script execution timed out');
  } catch {
    return false;
  }
}

/** True for a value with a callable `then` (a Promise from an async function); never throws. */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return false;
  try {
    return typeof (v as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}

/**
 * Makes sure a promise a module handed back can never reach Node's
 * unhandledRejection (which would end vmlab): its rejection is handled here,
 * and reported through `report` when it comes.
 */
export function swallowRejection(p: PromiseLike<unknown>, report: (e: unknown) => void): void {
  try {
    p.then(undefined, (e: unknown) => {
      try {
        report(e);
      } catch {
        // Reporting must not turn into a rejection of its own.
      }
    });
  } catch {
    // A `then` that throws: nothing was scheduled.
  }
}
