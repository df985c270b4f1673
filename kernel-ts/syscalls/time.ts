// The time system calls (Linux kernel/time/posix-timers.c, hrtimer.c,
// posix-cpu-timers.c): clock_gettime, nanosleep and clock_nanosleep, all on
// the instruction clock (one retired instruction is one nanosecond, plus the
// time the kernel idles forward; kernel.ts clockNs). Deadlines are ktime
// values that saturate at KTIME_MAX, which never comes (ktime.ts).
import { EFAULT, EINVAL, EOPNOTSUPP } from '../errno';
import type { Kernel } from '../kernel';
import { KTIME_MAX, NSEC_PER_SEC, decodeTimespec, encodeTimespec, ktimeAddSafe, timespec64Valid } from '../ktime';
import { sleepOn } from '../proc/sched';
import { Restart } from '../proc/task';
import type { Task } from '../proc/task';
import type { SyscallArgs } from './args';
import { NR } from './numbers';
import { SYSCALL_RESTART } from './table';
import type { SyscallTable } from './table';

/** Clock ids (include/uapi/linux/time.h). */
export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;
export const CLOCK_PROCESS_CPUTIME_ID = 2;
export const CLOCK_THREAD_CPUTIME_ID = 3;
export const CLOCK_MONOTONIC_RAW = 4;
export const CLOCK_REALTIME_COARSE = 5;
export const CLOCK_MONOTONIC_COARSE = 6;
export const CLOCK_BOOTTIME = 7;
export const CLOCK_REALTIME_ALARM = 8;
export const CLOCK_BOOTTIME_ALARM = 9;
export const CLOCK_TAI = 11;
/** clock_nanosleep flag: the request is a time of the clock, not an interval. */
export const TIMER_ABSTIME = 1;
/**
 * CLOCK_REALTIME at boot: 2024-01-01T00:00:00Z. A fixed epoch keeps runs
 * deterministic; the wall clock then advances with the instruction clock.
 */
export const REALTIME_AT_BOOT_S = 1704067200;
const REALTIME_AT_BOOT_NS = REALTIME_AT_BOOT_S * NSEC_PER_SEC;

/** sizeof(struct __kernel_timespec). */
const TIMESPEC_SIZE = 16;

/** What a clock id is to the time calls: the wall clock, the boot clock, the process's CPU time, or none. */
type ClockBase = 'real' | 'mono' | 'cpu';

/** clock_gettime(clockid, tp): every clock from the instruction clock (deterministic). CLOCK_TAI is CLOCK_REALTIME (tai_offset 0, as until ntpd sets it). */
function sysClockGettime(k: Kernel, t: Task, a: SyscallArgs): number {
  let ns: number;
  switch (a.int(0)) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_TAI:
      ns = REALTIME_AT_BOOT_NS + k.clockNs();
      break;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
      ns = k.clockNs();
      break;
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
      ns = t.utimeNs + t.stimeNs;
      break;
    default:
      return -EINVAL;
  }
  return k.mm.copyToUser(t.mm!, a.u64(1), encodeTimespec(ns)) < 0 ? -EFAULT : 0;
}

/**
 * The clock clock_nanosleep sleeps on (the k_clock's nsleep), or -errno:
 * -EINVAL for an id no clock has, -EOPNOTSUPP for a clock that cannot be
 * slept on (the raw and coarse clocks, the thread's CPU clock, and the alarm
 * clocks, which need an RTC vmlab does not have).
 */
function nsleepClock(clock: number): ClockBase | number {
  switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_TAI:
      return 'real';
    case CLOCK_MONOTONIC:
    case CLOCK_BOOTTIME:
      return 'mono';
    case CLOCK_PROCESS_CPUTIME_ID:
      return 'cpu';
    case CLOCK_THREAD_CPUTIME_ID:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_REALTIME_ALARM:
    case CLOCK_BOOTTIME_ALARM:
      return -EOPNOTSUPP;
    default:
      return -EINVAL;
  }
}

/**
 * hrtimer_nanosleep() / posix_cpu_nsleep() once the request is read: the
 * instruction-clock deadline, or null when the sleep is over before it starts.
 * A CPU-time deadline ahead of now is never reached while the (single
 * threaded) process sleeps, so that sleep lasts until a signal (KTIME_MAX).
 */
function deadlineOf(k: Kernel, t: Task, base: ClockBase, abs: boolean, sec: bigint, nsec: bigint): number | null {
  const now = k.clockNs();
  if (base === 'cpu') {
    const cpu = t.utimeNs + t.stimeNs;
    const until = ktimeAddSafe(abs ? 0 : cpu, sec, nsec);
    return until <= cpu ? null : KTIME_MAX;
  }
  if (!abs) return ktimeAddSafe(now, sec, nsec);
  const at = ktimeAddSafe(0, sec, nsec);
  if (at === KTIME_MAX) return KTIME_MAX;
  const mono = base === 'real' ? at - REALTIME_AT_BOOT_NS : at;
  return mono <= now ? null : mono;
}

/**
 * The common sleep: reads the request at rqtp (-EFAULT, -EINVAL for a
 * negative tv_sec or a tv_nsec outside [0, 1e9)), then sleeps until the
 * deadline. The deadline is kept across the restart, so waking early (a
 * signal without a handler) does not lengthen the sleep; a handler ends it
 * with -EINTR (Restart.Block) and, for a relative sleep with rmtp, the time
 * left written there (signal.ts).
 */
function doNanosleep(k: Kernel, t: Task, base: ClockBase, abs: boolean, rqtp: number, rmtp: number): number {
  if (t.sleepDeadlineNs < 0) {
    const b = k.mm.copyFromUser(t.mm!, rqtp, TIMESPEC_SIZE);
    if (typeof b === 'number') return -EFAULT;
    const { sec, nsec } = decodeTimespec(b);
    if (!timespec64Valid(sec, nsec)) return -EINVAL;
    const deadline = deadlineOf(k, t, base, abs, sec, nsec);
    if (deadline === null) return 0;
    t.sleepDeadlineNs = deadline;
    // restart_block.nanosleep.rmtp: TT_NONE for an absolute sleep (and for the CPU clock here).
    t.sleepRmtp = abs || base === 'cpu' ? 0 : rmtp;
  }
  if (k.clockNs() >= t.sleepDeadlineNs) {
    t.sleepDeadlineNs = -1;
    return 0;
  }
  sleepOn(t, { kind: 'timer', untilNs: t.sleepDeadlineNs });
  t.restart = Restart.Block;
  return SYSCALL_RESTART;
}

/** nanosleep(rqtp, rmtp): a relative sleep on CLOCK_MONOTONIC. */
function sysNanosleep(k: Kernel, t: Task, a: SyscallArgs): number {
  return doNanosleep(k, t, 'mono', false, a.u64(0), a.u64(1));
}

/**
 * clock_nanosleep(clockid, flags, rqtp, rmtp): the clock is checked first
 * (-EINVAL, -EOPNOTSUPP), then the request; TIMER_ABSTIME sleeps until the
 * clock reads rqtp (at once if it already has) and never writes rmtp. Other
 * flag bits are ignored, as Linux ignores them.
 */
function sysClockNanosleep(k: Kernel, t: Task, a: SyscallArgs): number {
  const base = nsleepClock(a.int(0));
  if (typeof base === 'number') return base;
  return doNanosleep(k, t, base, (a.int(1) & TIMER_ABSTIME) !== 0, a.u64(2), a.u64(3));
}

export const timeSyscalls: SyscallTable = {
  [NR.clock_gettime]: sysClockGettime,
  [NR.nanosleep]: sysNanosleep,
  [NR.clock_nanosleep]: sysClockNanosleep,
};
