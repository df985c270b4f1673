// makeLinux: the `vmlab/linux` namespace one loaded module sees. Each area of
// the surface is declared in include/<area>.d.ts and implemented by
// <area>.ts as `<area>Api(env)`, typed as that declaration; the spread below
// is checked against linux.d.ts as a whole, so nothing declared can be left
// unimplemented.
import type * as Linux from './linux';
import type { LinuxEnv } from './env';
import { deviceApi } from './device';
import { cdevApi } from './cdev';
import { errApi } from './err';
import { fsApi } from './fs';
import { miscdeviceApi } from './miscdevice';
import { mmApi } from './mm';
import { procFsApi } from './proc_fs';
import { seqFileApi } from './seq_file';
import { sysfsApi } from './sysfs';
import { ioctlApi } from './ioctl';
import { bugApi } from './bug';
import { delayApi } from './delay';
import { errnoApi } from './errno';
import { kthreadApi } from './kthread';
import { lockdepCallEnd, mmTypesApi } from './mm_types';
import { mmuNotifierApi } from './mmu_notifier';
import { printkApi, printkFlush } from './printk';
import { schedApi } from './sched';
import { uaccessApi } from './uaccess';
import { moduleApi } from './module';
import { hugeMmApi } from './huge_mm';
import { securityApi } from './security';
import { ioApi } from './io';
import { pageApi } from './page';
import { pgtableApi } from './pgtable';
import { tlbflushApi } from './tlbflush';
import { slabApi } from './slab';
import { vmallocApi } from './vmalloc';
import { exportApi } from './export';

/** The value of `import * as linux from 'vmlab/linux'`. */
export type LinuxApi = typeof Linux;

export function makeLinux(env: LinuxEnv): LinuxApi {
  return counted(env, {
    // ...slabApi(env), one line per include/ file
    ...ioctlApi(env),
    ...fsApi(env),
    ...errApi(env),
    ...deviceApi(env),
    ...cdevApi(env),
    ...miscdeviceApi(env),
    ...mmApi(env),
    ...procFsApi(env),
    ...seqFileApi(env),
    ...sysfsApi(env),
    // one line per include/ file
    ...bugApi(env),
    ...delayApi(env),
    ...errnoApi(env),
    ...kthreadApi(env),
    ...mmTypesApi(env),
    ...mmuNotifierApi(env),
    ...printkApi(env),
    ...schedApi(env),
    ...uaccessApi(env),
    ...moduleApi(env),
    ...pageApi(env),
    ...slabApi(env),
    ...vmallocApi(env),
    ...ioApi(env),
    ...pgtableApi(env),
    ...tlbflushApi(env),
    ...hugeMmApi(env),
    ...securityApi(env),
    ...exportApi(env),
  });
}

/**
 * The namespace with each function counted by the soft-lockup watchdog
 * (module/watchdog.ts: a call into a module is bounded by the API calls it
 * makes) before it runs; constants pass through unchanged.
 */
function counted(env: LinuxEnv, api: LinuxApi): LinuxApi {
  const watchdog = env.kernel.modules?.watchdog;
  if (watchdog === undefined) return api;
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(api)) {
    if (typeof v !== 'function') {
      out[name] = v;
      continue;
    }
    const fn = v as (...args: unknown[]) => unknown;
    // One name for every wrapper: trace.ts's WATCHDOG_FRAMES leaves it out of stacks and Call Traces.
    out[name] = function vmlab_api_call(this: unknown, ...args: unknown[]): unknown {
      watchdog.tick(vmlab_api_call);
      return Reflect.apply(fn, this, args);
    };
  }
  return out as LinuxApi;
}

/**
 * The end of a call into a module's code (init, exit, a file operation, a
 * vm_op, a sysfs show/store, a hook; kernel-thread steps do it themselves):
 * the line a printk left open goes to the log, and an mmap lock still held is
 * lockdep's "lock held when returning to user space" (then dropped). The
 * module loader calls it after each call it makes.
 */
export function linuxCallEnd(env: LinuxEnv): void {
  printkFlush(env.kernel);
  lockdepCallEnd(env);
}
