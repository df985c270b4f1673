// A host exception thrown while the kernel serviced a task is a kernel bug:
// like Linux's oops (arch/x86/kernel/dumpstack.c die/__die), the log gets a
// BUG line, the Oops header, the task and the Call Trace (the JS stack as
// kernel symbols with offsets, kallsyms.ts), and the task that was being
// serviced dies; the kernel keeps running.
import { Kallsyms } from './kallsyms';
import type { Task } from './task';
import { UTS_RELEASE } from './uts';

/** The oops lines for error `e` raised in `where` while serving t (the n-th oops since boot); `syms` knows the loaded modules' code. */
export function oopsMessage(t: Task | null, where: string, e: unknown, n: number, syms: Kallsyms = new Kallsyms()): string[] {
  const err = e instanceof Error ? e : new Error(String(e));
  const lines = [
    `BUG: kernel exception in ${where}: ${err.name}: ${err.message}`,
    `Oops: 0000 [#${n}] PREEMPT`,
    `CPU: 0 PID: ${t?.pid ?? 0} Comm: ${t?.comm ?? 'swapper/0'} ${n > 1 ? 'Tainted: G      D' : 'Not tainted'} ${UTS_RELEASE} #1`,
    'Hardware name: vmlab (riscv64 guest, x86-64 paging)',
    'Call Trace:',
    ' <TASK>',
  ];
  // A thrown non-Error has no stack of its own.
  if (e instanceof Error) lines.push(...syms.callTrace(e));
  lines.push(' </TASK>', `---[ end trace ${n.toString(16).padStart(16, '0')} ]---`);
  return lines;
}
