// The system-call table: number -> handler. Each subsystem exports its
// handlers from its own file (mm.ts, proc.ts, time.ts, fs.ts, fs-path.ts, resource.ts in this folder); this
// file only merges them. The dispatcher (kernel-ts/kernel.ts) reads a7 and
// a0..a5, calls the handler, and writes its result to a0 (a value or -errno,
// Linux's convention) before stepping pc past the ecall, except for the two
// special results below.
import type { Kernel } from '../kernel';
import type { Task } from '../proc/task';
import type { SyscallArgs } from './args';
import { fsSyscalls } from './fs';
import { pathSyscalls } from './fs-path';
import { mmSyscalls } from './mm';
import { procSyscalls } from './proc';
import { timeSyscalls } from './time';
import { resourceSyscalls } from './resource';

export type SyscallHandler = (k: Kernel, t: Task, a: SyscallArgs) => number;
export type SyscallTable = Readonly<Record<number, SyscallHandler>>;

/**
 * The task went to sleep (wait4 with no exited child, nanosleep, a blocking
 * read): leave pc at the ecall and registers as they are, so the call is
 * made again when the task runs next (Linux's -ERESTARTSYS, value 512).
 */
export const SYSCALL_RESTART = -512;
/**
 * The handler has set the task's registers and pc itself (execve, exit,
 * rt_sigreturn): the dispatcher must not touch them.
 */
export const SYSCALL_NORETURN = -0x10000;

/** The merged table; a number missing from it gets -ENOSYS (logged once). */
export function syscallTable(): SyscallTable {
  const all: Record<number, SyscallHandler> = {};
  for (const part of [mmSyscalls, procSyscalls, timeSyscalls, fsSyscalls, pathSyscalls, resourceSyscalls]) {
    for (const [nr, h] of Object.entries(part)) {
      if (all[Number(nr)] !== undefined) throw new Error(`syscall ${nr} defined twice`);
      all[Number(nr)] = h;
    }
  }
  return all;
}
