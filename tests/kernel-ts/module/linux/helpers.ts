// Test helpers for vmlab/linux: a booted kernel, a LoadedModule to act as the
// calling module, and a transient process (insmod-like) whose mm the test fills.
import type { Kernel } from '../../../../kernel-ts/kernel';
import { LoadedModule } from '../../../../kernel-ts/module/context';
import { runInProcess } from '../../../../kernel-ts/module/process';
import type { Task } from '../../../../kernel-ts/proc/task';
import type { LinuxEnv } from '../../../../kernel-ts/module/linux/env';
import { bootKernel } from '../../proc/helpers';

/** A kernel and an env for a module named `name` (not inserted: its functions are called directly). */
export function linuxEnv(name = 'testmod'): { k: Kernel; env: LinuxEnv } {
  const { k } = bootKernel();
  const module = new LoadedModule(k, { name, init: () => 0 }, new Map(), 4096, true, 0xffffffffc0000000n);
  return { k, env: { kernel: k, module } };
}

/** Runs fn as a transient process `comm` (current = it, its own mm); returns fn's value (throws what fn threw, or if the process was killed). */
export function inProcess<T>(k: Kernel, fn: (t: Task) => T, comm = 'tproc'): T {
  // A failed expect inside is rethrown here, not left to be the process's oops.
  let failed: { e: unknown } | null = null;
  const r = runInProcess(k, comm, (t) => {
    try {
      return fn(t);
    } catch (e) {
      failed = { e };
      return undefined as T;
    }
  });
  if (failed !== null) throw (failed as { e: unknown }).e;
  if (typeof r === 'number') throw new Error(`runInProcess: ${r}`);
  if (r.killed) throw new Error(`process killed by signal ${r.signal}`);
  return r.value;
}
