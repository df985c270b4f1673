// Resource limits (Linux include/uapi/asm-generic/resource.h,
// include/asm-generic/resource.h's INIT_RLIMITS, kernel/sys.c do_prlimit,
// kernel/fork.c set_max_threads). Each process has a soft (rlim_cur) and a
// hard (rlim_max) limit per resource, inherited across fork and kept across
// execve. The soft limit is what the kernel enforces (RLIMIT_AS, DATA, STACK
// in mm/, NOFILE at fd allocation, NPROC at fork); a process may set it
// anywhere up to the hard limit, and lower the hard limit, but raising a
// hard limit needs CAP_SYS_RESOURCE, which vmlab's processes (uid 1000)
// never have.
//
// Values are unsigned 64-bit (BigUint64Array, exact as the guest wrote
// them); rlimit() gives the soft limit as a number for the checks, Infinity
// for RLIM_INFINITY, without allocating.
import { EINVAL, EPERM } from './errno';

export const RLIMIT_CPU = 0;
export const RLIMIT_FSIZE = 1;
export const RLIMIT_DATA = 2;
export const RLIMIT_STACK = 3;
export const RLIMIT_CORE = 4;
export const RLIMIT_RSS = 5;
export const RLIMIT_NPROC = 6;
export const RLIMIT_NOFILE = 7;
export const RLIMIT_MEMLOCK = 8;
export const RLIMIT_AS = 9;
export const RLIMIT_LOCKS = 10;
export const RLIMIT_SIGPENDING = 11;
export const RLIMIT_MSGQUEUE = 12;
export const RLIMIT_NICE = 13;
export const RLIMIT_RTPRIO = 14;
export const RLIMIT_RTTIME = 15;
export const RLIM_NLIMITS = 16;

/** RLIM_INFINITY (and RLIM64_INFINITY): ~0UL. */
export const RLIM_INFINITY = 0xffff_ffff_ffff_ffffn;
/** _STK_LIM: the default stack soft limit, 8 MiB. */
export const _STK_LIM = 8 << 20;
/** INR_OPEN_CUR / INR_OPEN_MAX: RLIMIT_NOFILE's defaults. */
export const INR_OPEN_CUR = 1024;
export const INR_OPEN_MAX = 4096;
/** MLOCK_LIMIT: RLIMIT_MEMLOCK's default, 8 MiB (Linux 5.16+). */
export const MLOCK_LIMIT = 8 << 20;
/** MQ_BYTES_MAX: RLIMIT_MSGQUEUE's default. */
export const MQ_BYTES_MAX = 819200;
/** sysctl_nr_open (fs.nr_open): no RLIMIT_NOFILE hard limit may exceed it (-EPERM). */
export const NR_OPEN = 1024 * 1024;

/** set_max_threads()'s bounds: MIN_THREADS, and MAX_THREADS = FUTEX_TID_MASK. */
export const MIN_THREADS = 20;
export const MAX_THREADS = 0x3fffffff;
/** THREAD_SIZE on x86-64 (order-2 kernel stacks). */
export const THREAD_SIZE = 16384;

/** sizeof(struct rlimit) and sizeof(struct rlimit64) on riscv64: two unsigned 64-bit words. */
export const RLIMIT_SIZE = 16;

/** One soft/hard pair, as the syscalls read and write it. */
export interface Rlimit {
  readonly cur: bigint;
  readonly max: bigint;
}

/** The limits of a process (Linux signal_struct.rlim). */
export class Rlimits {
  private readonly curs = new BigUint64Array(RLIM_NLIMITS);
  private readonly maxs = new BigUint64Array(RLIM_NLIMITS);
  /** The soft limits as numbers (Infinity for RLIM_INFINITY), kept with curs. */
  private readonly soft = new Float64Array(RLIM_NLIMITS);

  /** Linux's INIT_RLIMITS; RLIMIT_NPROC and RLIMIT_SIGPENDING are 0 until boot sets them (initTaskRlimits). */
  constructor() {
    const inf = RLIM_INFINITY;
    const init: [bigint, bigint][] = [
      [inf, inf], // CPU
      [inf, inf], // FSIZE
      [inf, inf], // DATA
      [BigInt(_STK_LIM), inf], // STACK
      [0n, inf], // CORE
      [inf, inf], // RSS
      [0n, 0n], // NPROC
      [BigInt(INR_OPEN_CUR), BigInt(INR_OPEN_MAX)], // NOFILE
      [BigInt(MLOCK_LIMIT), BigInt(MLOCK_LIMIT)], // MEMLOCK
      [inf, inf], // AS
      [inf, inf], // LOCKS
      [0n, 0n], // SIGPENDING
      [BigInt(MQ_BYTES_MAX), BigInt(MQ_BYTES_MAX)], // MSGQUEUE
      [0n, 0n], // NICE
      [0n, 0n], // RTPRIO
      [inf, inf], // RTTIME
    ];
    init.forEach(([cur, max], r) => this.set(r, { cur, max }));
  }

  /** Linux rlimit(): the soft limit as a number; Infinity for RLIM_INFINITY (exact below 2^53). */
  rlimit(resource: number): number {
    return this.soft[resource]!;
  }

  /** The soft and hard limit of a resource (0 <= resource < RLIM_NLIMITS). */
  get(resource: number): Rlimit {
    return { cur: this.curs[resource]!, max: this.maxs[resource]! };
  }

  /** Sets a resource's pair as it is (no checks: doPrlimit makes them). */
  set(resource: number, r: Rlimit): void {
    this.curs[resource] = r.cur;
    this.maxs[resource] = r.max;
    this.soft[resource] = r.cur === RLIM_INFINITY ? Infinity : Number(r.cur);
  }

  /** copy_signal()'s memcpy of the limits: fork gives the child its own copy. */
  copy(): Rlimits {
    const c = new Rlimits();
    for (let r = 0; r < RLIM_NLIMITS; r++) c.set(r, this.get(r));
    return c;
  }
}

/**
 * Linux set_max_threads(): the system-wide task limit (kernel.threads-max),
 * such that the tasks' kernel stacks take at most an eighth of memory:
 * nrPages * PAGE_SIZE / (THREAD_SIZE * 8), clamped to [MIN_THREADS, MAX_THREADS].
 */
export function setMaxThreads(nrPages: number): number {
  const threads = Math.floor((nrPages * 4096) / (THREAD_SIZE * 8));
  return Math.min(Math.max(threads, MIN_THREADS), MAX_THREADS);
}

/**
 * init_task's limits after fork_init(): INIT_RLIMITS with RLIMIT_NPROC and
 * RLIMIT_SIGPENDING at max_threads / 2 (soft and hard). Every process the
 * host starts gets a copy, as if init had forked it.
 */
export function initTaskRlimits(maxThreads: number): Rlimits {
  const rlim = new Rlimits();
  const half = BigInt(Math.floor(maxThreads / 2));
  rlim.set(RLIMIT_NPROC, { cur: half, max: half });
  rlim.set(RLIMIT_SIGPENDING, { cur: half, max: half });
  return rlim;
}

/**
 * Linux do_prlimit() for an unprivileged process: the old pair of `resource`,
 * then the new one set if given; or -EINVAL (no such resource, soft above
 * hard) or -EPERM (a hard limit raised, which needs CAP_SYS_RESOURCE, or an
 * RLIMIT_NOFILE hard limit above fs.nr_open). Nothing changes on an error.
 */
export function doPrlimit(rlim: Rlimits, resource: number, next: Rlimit | null): Rlimit | number {
  if (!Number.isInteger(resource) || resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
  if (next !== null) {
    if (next.cur > next.max) return -EINVAL;
    if (resource === RLIMIT_NOFILE && next.max > BigInt(NR_OPEN)) return -EPERM;
  }
  const old = rlim.get(resource);
  if (next !== null) {
    if (next.max > old.max) return -EPERM;
    rlim.set(resource, next);
  }
  return old;
}
