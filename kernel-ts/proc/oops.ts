// A host exception thrown while the kernel serviced a task is a kernel bug:
// like Linux's oops (arch/x86/kernel/dumpstack.c die/__die), the log gets a
// BUG line, the Oops header, the task and the Call Trace (the JS stack as
// kernel symbols with offsets, kallsyms.ts), and the task that was being
// serviced dies; the kernel keeps running.
import { Kallsyms } from './kallsyms';
import type { Task } from './task';
import { UTS_RELEASE } from './uts';

/**
 * What the soft-lockup watchdog throws when one call into module code ran
 * past its bound (Linux kernel/watchdog.c watchdog_timer_fn): the oops says
 * "soft lockup" with the bound in whole seconds instead of "kernel exception".
 */
export class SoftLockup extends Error {
  constructor(
    /** The bound, rounded up to whole seconds (Linux prints the measured duration). */
    readonly seconds: number,
    where: string,
  ) {
    super(`soft lockup in ${where}`);
    this.name = 'SoftLockup';
  }
}

/** The longest description of a thrown value an oops prints (Linux's printk truncates a record near 1 KiB). */
const DESCRIBE_MAX = 512;

/**
 * `NAME: MESSAGE` for a thrown Error, a description for anything else
 * (`Error: TEXT` for a string or number, as before; `null`, `undefined`,
 * `Symbol(x)`, an object's String()), and the Error itself when it is one.
 * Never throws: a toString, name or message getter that throws, or a Proxy
 * whose traps throw, is described as unprintable instead.
 */
export function describeThrown(e: unknown): { text: string; error: Error | null } {
  const cap = (s: string): string => (s.length > DESCRIBE_MAX ? `${s.slice(0, DESCRIBE_MAX)}...` : s);
  const field = (read: () => unknown, fallback: string): string => {
    try {
      const v = read();
      return typeof v === 'string' ? v : fallback;
    } catch {
      return fallback;
    }
  };
  switch (typeof e) {
    case 'undefined':
      return { text: 'thrown value: undefined', error: null };
    case 'symbol':
      return { text: `thrown value: Symbol(${field(() => e.description, '')})`, error: null };
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return { text: cap(`Error: ${String(e)}`), error: null };
    default:
      break;
  }
  if (e === null) return { text: 'thrown value: null', error: null };
  let isError = false;
  try {
    // A Proxy's getPrototypeOf trap runs here and may throw.
    isError = e instanceof Error;
  } catch {
    isError = false;
  }
  if (isError) {
    const err = e as Error;
    return { text: cap(`${field(() => err.name, 'Error')}: ${field(() => err.message, '(unprintable message)')}`), error: err };
  }
  return { text: cap(`thrown value: ${field(() => String(e), '(an object that cannot be printed)')}`), error: null };
}

/** The oops lines for error `e` raised in `where` while serving t (the n-th oops since boot); `syms` knows the loaded modules' code. */
export function oopsMessage(t: Task | null, where: string, e: unknown, n: number, syms: Kallsyms = new Kallsyms()): string[] {
  const { text, error } = describeThrown(e);
  const lockup = error instanceof SoftLockup ? error : null;
  const lines = [
    lockup !== null
      ? `watchdog: BUG: soft lockup - CPU#0 stuck for ${lockup.seconds}s! [${t?.comm ?? 'swapper/0'}:${t?.pid ?? 0}]`
      : `BUG: kernel exception in ${where}: ${text}`,
    `Oops: 0000 [#${n}] PREEMPT`,
    `CPU: 0 PID: ${t?.pid ?? 0} Comm: ${t?.comm ?? 'swapper/0'} ${n > 1 ? 'Tainted: G      D' : 'Not tainted'} ${UTS_RELEASE} #1`,
    'Hardware name: vmlab (riscv64 guest, x86-64 paging)',
    'Call Trace:',
    ' <TASK>',
  ];
  // A thrown non-Error has no stack of its own; a hostile Error's stack may not be readable.
  if (error !== null) {
    try {
      lines.push(...syms.callTrace(error));
    } catch {
      // The Call Trace stays empty.
    }
  }
  lines.push(' </TASK>', `---[ end trace ${n.toString(16).padStart(16, '0')} ]---`);
  return lines;
}
