// The resource-limit system calls (Linux kernel/sys.c): getrlimit,
// setrlimit and prlimit64, on struct rlimit / struct rlimit64 (two unsigned
// 64-bit words on riscv64: rlim_cur, rlim_max). The rules are do_prlimit's
// (kernel-ts/resource.ts): soft <= hard, hard limits only go down (no
// CAP_SYS_RESOURCE), RLIM_INFINITY is ~0UL.
import { EFAULT, ESRCH } from '../errno';
import type { Kernel } from '../kernel';
import type { Task } from '../proc/task';
import { RLIMIT_SIZE, doPrlimit } from '../resource';
import type { Rlimit } from '../resource';
import type { SyscallArgs } from './args';
import { NR } from './numbers';
import type { SyscallTable } from './table';

/** copy_from_user of a struct rlimit: the pair, or -EFAULT. */
function readRlimit(k: Kernel, t: Task, uaddr: number): Rlimit | number {
  const b = k.mm.copyFromUser(t.mm!, uaddr, RLIMIT_SIZE);
  if (typeof b === 'number') return -EFAULT;
  const dv = new DataView(b.buffer, b.byteOffset, RLIMIT_SIZE);
  return { cur: dv.getBigUint64(0, true), max: dv.getBigUint64(8, true) };
}

/** copy_to_user of a struct rlimit: 0 or -EFAULT. */
function writeRlimit(k: Kernel, t: Task, uaddr: number, r: Rlimit): number {
  const b = new Uint8Array(RLIMIT_SIZE);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, r.cur, true);
  dv.setBigUint64(8, r.max, true);
  return k.mm.copyToUser(t.mm!, uaddr, b) < 0 ? -EFAULT : 0;
}

/** getrlimit(resource, rlim): -EINVAL for a bad resource, then -EFAULT. */
function sysGetrlimit(k: Kernel, t: Task, a: SyscallArgs): number {
  const old = doPrlimit(t.rlim, a.uint(0), null);
  return typeof old === 'number' ? old : writeRlimit(k, t, a.u64(1), old);
}

/** setrlimit(resource, rlim): -EFAULT first (the copy), then do_prlimit's -EINVAL/-EPERM. */
function sysSetrlimit(k: Kernel, t: Task, a: SyscallArgs): number {
  const next = readRlimit(k, t, a.u64(1));
  if (typeof next === 'number') return next;
  const r = doPrlimit(t.rlim, a.uint(0), next);
  return typeof r === 'number' ? r : 0;
}

/**
 * prlimit64(pid, resource, new, old): pid 0 is the caller; any other process
 * of the same user may be read or changed (all of vmlab's are uid 1000), a
 * zombie included. Order as Linux: read `new` (-EFAULT), find pid (-ESRCH),
 * do_prlimit, write `old` (-EFAULT, after the new limit is set).
 */
function sysPrlimit64(k: Kernel, t: Task, a: SyscallArgs): number {
  const pid = a.int(0);
  const unew = a.u64(2);
  const uold = a.u64(3);
  let next: Rlimit | null = null;
  if (unew !== 0) {
    const r = readRlimit(k, t, unew);
    if (typeof r === 'number') return r;
    next = r;
  }
  const target = pid === 0 ? t : k.tasks.get(pid);
  if (target === undefined || pid < 0) return -ESRCH;
  const old = doPrlimit(target.rlim, a.uint(1), next);
  if (typeof old === 'number') return old;
  return uold !== 0 ? writeRlimit(k, t, uold, old) : 0;
}

export const resourceSyscalls: SyscallTable = {
  [NR.getrlimit]: sysGetrlimit,
  [NR.setrlimit]: sysSetrlimit,
  [NR.prlimit64]: sysPrlimit64,
};
