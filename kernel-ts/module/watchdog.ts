// The soft-lockup watchdog for module code (Linux kernel/watchdog.c, with
// what vmlab can do about a stuck CPU: stop the call). Every call the
// kernel makes into a module (init, exit, file operations, /proc and /sys
// callbacks, hooks, vm_ops, kernel-thread steps) runs through bounded().
//
// A call is bounded by its work, not by the host's clock, so whether a
// looping module is caught never depends on the machine's speed:
//   - each call it makes into the module API (a vmlab/linux function, or
//     m.printk / m.param / m.current of its ModuleContext) is counted
//     (tick()); past `calls` of them the call is stuck;
//   - the guest time it sleeps or busy-waits (msleep, ssleep, usleep_range,
//     udelay, mdelay, ndelay: slept()) is added up; past `ms` guest
//     milliseconds the call is stuck;
//   - each iteration of a loop in module code is counted (loop(): the loader
//     rewrites every loop to call it, loops.ts); an iteration is a
//     sixty-fourth of an API call's work (ITERATIONS_PER_CALL): past `calls`
//     times that many (at least MIN_ITERATIONS, which a module's loading
//     loops stay far below) the call is stuck. So a loop that calls nothing,
//     `for (;;) {}`, is caught after the same number of iterations on every
//     machine, in Node and in a browser, which cannot interrupt a worker.
// The API call that finds the call stuck throws a SoftLockup; from then on
// every API call the stuck call makes throws it again, and when the call
// returns (or throws anything else) bounded() throws it: a module that
// catches it gains nothing, the caller's guard turns it into the oops
// (`watchdog: BUG: soft lockup - CPU#0 stuck for 20s! [insmod:7]`): the
// call fails, the task it ran for is killed, the kernel keeps running.
//
// Code no loop counter reaches (a regular expression backtracking for ever,
// code a module makes at run time with Function or eval) cannot be counted.
// For that case only, a wall-clock backstop remains in Node: the call runs inside vm.Script#runInContext
// with a generous `timeout` (`wallMs`, 20 s by default), and V8's watchdog
// thread terminates it, functions it calls included, whichever context
// they were compiled in. Termination cannot be caught by the code it
// stops, so no `finally` of the module runs. When the backstop fires is a
// matter of the host's speed; what it reports is not (the same line, with
// the threshold in seconds), and no test may depend on when it fires.
//
// The plumbing's frames (trace.ts's WATCHDOG_FRAMES) are left out of an
// oops's Call Trace, which goes from the module's function to the kernel's
// entry.
//
// Cost: each bounded call starts and stops V8's watchdog thread: about
// 0.2 ms on a busy 2-core machine (an unbounded call into a vm context is
// ~0.015 ms); only calls into module code pay it. A counted API call costs
// one closure call and an increment.
import { Script, createContext } from 'node:vm';
import type { Context } from 'node:vm';
import { SoftLockup } from '../proc/oops';
import type { LoopTick } from './evaluate';

/** Linux's soft-lockup threshold, 2 * watchdog_thresh (10 s), as guest milliseconds slept in one call. */
export const DEFAULT_SOFTLOCKUP_MS = 20_000;
/** Module API calls one call into a module may make (a few seconds of host time at most). */
export const DEFAULT_SOFTLOCKUP_CALLS = 1_000_000;
/** The wall-clock backstop for a loop that calls nothing, in host milliseconds. */
export const DEFAULT_SOFTLOCKUP_WALL_MS = 20_000;
/** Loop iterations that make the work of one API call: a bounded call may run `calls` times this many. */
export const ITERATIONS_PER_CALL = 64;
/** The fewest loop iterations a bounded call may run, however small `calls` is (loading a module runs esbuild's helper loops). */
export const MIN_ITERATIONS = 1 << 16;

/** What one call into module code may do before it is a soft lockup (KernelOptions.softLockup*). */
export interface WatchdogBounds {
  /** Calls into the module API. */
  readonly calls: number;
  /** Guest milliseconds slept or delayed. */
  readonly ms: number;
  /** Host milliseconds: the backstop for a loop that calls nothing. */
  readonly wallMs: number;
}

/** The bounds from KernelOptions (each defaulted on its own). */
export function watchdogBounds(o: { softLockupCalls?: number; softLockupMs?: number; softLockupWallMs?: number } | undefined): WatchdogBounds {
  return {
    calls: o?.softLockupCalls ?? DEFAULT_SOFTLOCKUP_CALLS,
    ms: o?.softLockupMs ?? DEFAULT_SOFTLOCKUP_MS,
    wallMs: o?.softLockupWallMs ?? DEFAULT_SOFTLOCKUP_WALL_MS,
  };
}

/** V8's frames recorded for an Error made in module code (Node's default, 10, ends inside the plumbing). */
const CALL_TRACE_FRAMES = 40;

/** Node's code for a runInContext that its timeout stopped. */
const TIMEOUT_CODE = 'ERR_SCRIPT_EXECUTION_TIMEOUT';

/** The work of one bounded call in progress (nested calls each have one; a nested call's work counts for its caller too). */
interface Frame {
  readonly where: string;
  calls: number;
  /** Loop iterations of module code (loop()). */
  iterations: number;
  sleptNs: number;
  /** The SoftLockup once the call is stuck: thrown by every API call it makes after, and by bounded() at its end. */
  stuck: SoftLockup | null;
  readonly outer: Frame | null;
}

/** The one entry script: it calls the function staged in `pending` (one per Watchdog, so per kernel). */
export class Watchdog {
  private readonly context: Context;
  private readonly script = new Script('__vmlab_module_call()', { filename: 'vmlab-watchdog' });
  private pending: (() => unknown) | null = null;
  private frame: Frame | null = null;
  readonly bounds: WatchdogBounds;
  /** Loop iterations one bounded call may run. */
  private readonly iterationLimit: number;
  /**
   * Called at the start of every call into module code (the browser lab's
   * recorder: a module keeps state in its closures, which no snapshot saves,
   * so the history must not be replayed across a call into it). Null: none.
   */
  onCall: (() => void) | null = null;
  /**
   * What each loop iteration of module code calls (the module function's
   * LOOP_TICK parameter): counts it toward the bounded call in progress, and
   * throws the SoftLockup once that call is stuck. `loop.of(xs)` is xs with
   * the same count per element (a for-of whose body is not a block).
   */
  readonly loop: LoopTick;

  constructor(bounds: Partial<WatchdogBounds> = {}) {
    this.bounds = { calls: bounds.calls ?? DEFAULT_SOFTLOCKUP_CALLS, ms: bounds.ms ?? DEFAULT_SOFTLOCKUP_MS, wallMs: bounds.wallMs ?? DEFAULT_SOFTLOCKUP_WALL_MS };
    this.iterationLimit = Math.max(MIN_ITERATIONS, this.bounds.calls * ITERATIONS_PER_CALL);
    const tick = (): void => {
      const f = this.frame;
      if (f !== null && ++f.iterations > this.iterationLimit) throw f.stuck ?? this.lockup(f, tick);
    };
    const watchdog = this;
    this.loop = Object.assign(tick, {
      *of<V>(it: Iterable<V>): Generator<V> {
        for (const v of it) {
          const f = watchdog.frame;
          if (f !== null && ++f.iterations > watchdog.iterationLimit) throw f.stuck ?? watchdog.lockup(f, null);
          yield v;
        }
      },
    });
    this.context = createContext({
      __vmlab_module_call: (): unknown => {
        const fn = this.pending!;
        this.pending = null;
        return fn();
      },
    });
  }

  /**
   * fn(), bounded by its work: its value, or what it threw, or a thrown
   * SoftLockup naming `where` once it made more than `calls` API calls or
   * slept more than `ms` guest milliseconds (or, the backstop, ran `wallMs`
   * of host time). Nested calls (a module calling the kernel calling
   * another module) each get their own bound, and their work counts for
   * the call around them too.
   */
  bounded<T>(where: string, fn: () => T): T {
    this.onCall?.();
    const f: Frame = { where, calls: 0, iterations: 0, sleptNs: 0, stuck: null, outer: this.frame };
    this.frame = f;
    this.pending = fn;
    // An Error the module makes records enough frames to reach the kernel's entry past this plumbing (kallsyms.ts).
    const limit = Error.stackTraceLimit;
    if (limit < CALL_TRACE_FRAMES) Error.stackTraceLimit = CALL_TRACE_FRAMES;
    let v: T;
    try {
      v = this.script.runInContext(this.context, { timeout: this.bounds.wallMs, displayErrors: false }) as T;
    } catch (e) {
      if (f.stuck !== null) throw f.stuck;
      if (isTimeout(e)) throw this.lockup(f, null);
      throw e;
    } finally {
      this.pending = null;
      Error.stackTraceLimit = limit;
      this.frame = f.outer;
      if (f.outer !== null) {
        f.outer.calls += f.calls;
        f.outer.iterations += f.iterations;
        f.outer.sleptNs += f.sleptNs;
      }
    }
    if (f.stuck !== null) {
      // The module caught the SoftLockup and returned: the call fails all the same (a returned Promise's rejection is handled).
      if (isThenable(v)) swallowRejection(v, () => {});
      throw f.stuck;
    }
    return v;
  }

  /**
   * One call into the module API by the code of the bounded call in
   * progress (none: not counted, e.g. a module's code run later from a
   * Promise). Throws the SoftLockup once the call is stuck; `caller` is
   * where its stack starts (the API wrapper), so the Call Trace begins in
   * the module.
   */
  tick(caller?: Function): void {
    const f = this.frame;
    if (f === null) return;
    if (f.stuck !== null) throw f.stuck;
    if (++f.calls > this.bounds.calls) throw this.lockup(f, caller ?? this.tick);
  }

  /** The bounded call in progress slept or busy-waited `ns` guest nanoseconds (linux/delay.ts). */
  slept(ns: number, caller?: Function): void {
    const f = this.frame;
    if (f === null) return;
    if (f.stuck !== null) throw f.stuck;
    f.sleptNs += ns;
    if (f.sleptNs > this.bounds.ms * 1e6) throw this.lockup(f, caller ?? this.slept);
  }

  /** Marks f stuck: the SoftLockup, stuck for the guest time slept or at least the threshold, in whole seconds as Linux prints them. */
  private lockup(f: Frame, caller: Function | null): SoftLockup {
    const ms = Math.max(f.sleptNs / 1e6, this.bounds.ms);
    const e = new SoftLockup(Math.max(1, Math.floor(ms / 1000)), f.where);
    if (caller !== null) Error.captureStackTrace(e, caller);
    f.stuck = e;
    return e;
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
