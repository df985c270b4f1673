// A host exception thrown while the kernel serviced a task is a kernel bug:
// like Linux's oops (arch/x86/kernel/dumpstack.c die/__die), the log gets a
// BUG line, the Oops header, the task and the "kernel stack" (the JS stack),
// and the task that was being serviced dies; the kernel keeps running.
import { KERN_ALERT, KERN_EMERG } from '../printk';
import type { Kernel } from '../kernel';
import type { Task } from './task';
import { UTS_RELEASE } from './uts';

/** The oops lines for error `e` raised in `where` while serving t (the n-th oops since boot). */
export function oopsMessage(t: Task | null, where: string, e: unknown, n: number): string[] {
  const err = e instanceof Error ? e : new Error(String(e));
  const lines = [
    `BUG: kernel exception in ${where}: ${err.name}: ${err.message}`,
    `Oops: 0000 [#${n}] PREEMPT`,
    `CPU: 0 PID: ${t?.pid ?? 0} Comm: ${t?.comm ?? 'swapper/0'} ${n > 1 ? 'Tainted: G      D' : 'Not tainted'} ${UTS_RELEASE} #1`,
    'Hardware name: vmlab (riscv64 guest, x86-64 paging)',
    'Call Trace:',
    ' <TASK>',
  ];
  for (const frame of (err.stack ?? '').split('\n').slice(1)) {
    const f = frame.trim().replace(/^at /, '');
    if (f) lines.push(` ${f}`);
  }
  lines.push(' </TASK>', `---[ end trace ${n.toString(16).padStart(16, '0')} ]---`);
  return lines;
}

export function logOops(k: Kernel, t: Task | null, where: string, e: unknown, n: number): void {
  for (const line of oopsMessage(t, where, e, n)) k.printk.log(line, line.startsWith('BUG') ? KERN_ALERT : KERN_EMERG);
}
