// <linux/delay.h>: msleep and friends are waits a kernel thread yields
// (kthread.ts); in a process's call the guest clock advances instead (the
// process sleeps with nothing else running). The busy-waits (udelay...)
// advance the clock in any context.
import type { LinuxEnv } from './env';
import { runningKthread } from './current';
import type { Wait } from './kthread';

export function delayApi(env: LinuxEnv): typeof import('./include/delay') {
  const k = env.kernel;
  // Guest time slept or delayed counts towards the soft-lockup bound of the module call making it (module/watchdog.ts).
  const guestTime = (ns: number): number => {
    const n = Number.isFinite(ns) && ns > 0 ? ns : 0;
    k.modules?.watchdog.slept(n);
    return n;
  };
  const sleep = (ns: number, interruptible: boolean): Wait => {
    const n = guestTime(ns);
    if (runningKthread(k) === undefined) k.idle(n);
    return { __wait: 'sleep', ns: n, interruptible };
  };
  return {
    msleep: (ms) => sleep(ms * 1e6, false),
    msleep_interruptible: (ms) => sleep(ms * 1e6, true),
    ssleep: (s) => sleep(s * 1e9, false),
    usleep_range: (min, _max) => sleep(min * 1e3, false),
    udelay: (us) => k.idle(guestTime(us * 1e3)),
    ndelay: (ns) => k.idle(guestTime(ns)),
    mdelay: (ms) => k.idle(guestTime(ms * 1e6)),
  };
}
